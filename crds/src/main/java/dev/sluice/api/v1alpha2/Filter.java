package dev.sluice.api.v1alpha2;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.sluice.api.v1alpha1.Action;
import dev.sluice.api.v1alpha1.OffloadStep;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/**
 * As HTTPRoute's HTTPRouteFilter: a type, and the one field of that type's name set. Sluice's own
 * filters are typed (Offload, VariableAction) rather than ExtensionRefs to other objects.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "(self.type == 'Offload') == has(self.offload)",
    message = "filters[].offload must be set when type is Offload, and only then")
@ValidationRule(
    value = "(self.type == 'VariableAction') == has(self.variableAction)",
    message = "filters[].variableAction must be set when type is VariableAction, and only then")
public record Filter(
    @JsonPropertyDescription(
            "Offload (Sluice): send messages of an OffloadAgent for the request and response."
                + " VariableAction (Sluice): deny the request, or set a request or response header,"
                + " from the variables agents set.")
        @Required
        Type type,
    @JsonPropertyDescription("For type Offload: the agent and its messages.")
        @Nullable OffloadStep offload,
    @JsonPropertyDescription("For type VariableAction: one action on agent variables.")
        @Nullable Action variableAction) {

  /** The filter types; Gateway API's are added as the sidecar implements them. */
  public enum Type {
    Offload,
    VariableAction
  }

  public static Filter offload(OffloadStep step) {
    return new Filter(Type.Offload, step, null);
  }

  public static Filter variableAction(Action action) {
    return new Filter(Type.VariableAction, null, action);
  }
}
