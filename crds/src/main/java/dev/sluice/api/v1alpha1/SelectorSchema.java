package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The CRD schema of {@code ProxyRoute.spec.selector} (the Java field stays fabric8's {@code
 * LabelSelector}): a metav1.LabelSelector with the shape Kubernetes' own validation enforces on
 * built-in selectors, so the API server refuses what the operator could not evaluate — a
 * requirement needs a key and one of the four operators, spelled as Kubernetes spells them, and
 * values exactly for In and NotIn.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SelectorSchema(
    @JsonPropertyDescription("Labels a pod must have, with these values.")
        @Nullable Map<String, String> matchLabels,
    @JsonPropertyDescription("Requirements every selected pod's labels must meet.")
        @Size(max = SelectorSchema.MAX_EXPRESSIONS)
        @Nullable List<Requirement> matchExpressions) {

  /** Bounds the CEL cost of the per-requirement rule; selectors need a handful. */
  public static final int MAX_EXPRESSIONS = 64;

  /** One {@code matchExpressions} entry. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value =
          "!has(self.operator) || (self.operator in ['In', 'NotIn']"
              + " ? has(self.values) && size(self.values) > 0"
              + " : !has(self.values) || size(self.values) == 0)",
      message = "values must be non-empty for In and NotIn and empty for Exists and DoesNotExist")
  public record Requirement(
      @JsonPropertyDescription("The label key.") @Required String key,
      @JsonPropertyDescription("In, NotIn, Exists or DoesNotExist.") @Required Operator operator,
      @JsonPropertyDescription("The values for In and NotIn; none for Exists and DoesNotExist.")
          @Nullable List<String> values) {}

  /** The operators of a label selector requirement, spelled as Kubernetes spells them. */
  public enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist
  }
}
