package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Observed state of a ProxyRoute, kstatus-compatible: read {@code Ready}, {@code Reconciling} and
 * {@code Stalled} (see {@link ConditionTypes}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProxyRouteStatus(
    @JsonPropertyDescription("The metadata.generation this status describes.")
        @Nullable Long observedGeneration,
    @JsonPropertyDescription(
            "Conditions: Ready, Reconciling, Stalled, Accepted, ResolvedRefs, Programmed.")
        @Nullable List<Condition> conditions,
    @JsonPropertyDescription(
            "Content hash of the config this route's current spec renders to (the rollout's"
                + " target).")
        @Nullable String revision,
    @JsonPropertyDescription("Progress of the rollout of 'revision' across the selected pods.")
        @Nullable RolloutStatus rollout,
    @JsonPropertyDescription(
            "How many Gateway API HTTPRoutes attached to this ProxyRoute (accepted by it; each"
                + " HTTPRoute's status.parents says why or why not). Absent: none.")
        @Nullable Integer attachedRoutes) {

  /** Without attached HTTPRoutes. */
  public ProxyRouteStatus(
      @Nullable Long observedGeneration,
      @Nullable List<Condition> conditions,
      @Nullable String revision,
      @Nullable RolloutStatus rollout) {
    this(observedGeneration, conditions, revision, rollout, null);
  }
}
