package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.IntOrString;
import org.jspecify.annotations.Nullable;

/** How a new revision of the route's config reaches the selected pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.batchSize) || (type(self.batchSize) == int ? self.batchSize >= 1"
            + " : self.batchSize.matches('^([1-9][0-9]?|100)%$'))",
    message = "rollout.batchSize must be a number >= 1 or a percentage from 1% to 100%")
@ValidationRule(
    value = "!has(self.progressDeadline) || duration(self.progressDeadline) >= duration('10s')",
    message = "rollout.progressDeadline must be at least 10s")
public record RolloutPolicy(
    @JsonPropertyDescription(
            "Pods that may be between 'assigned the new revision' and 'applied it' at once: a"
                + " number, or a percentage of the selected pods rounded up (never less than 1).")
        @Nullable IntOrString batchSize,
    @JsonPropertyDescription(
            "What to do when a sidecar rejects the revision or the deadline passes. Halt: stop"
                + " and leave updated pods as they are. Rollback: also return updated pods to the"
                + " last good revision. Either way status says Stalled=True.")
        @Default("Halt")
        @Nullable FailurePolicy onFailure,
    @JsonPropertyDescription(
            "Longest time a batch may take to apply before the rollout counts as failed.")
        @Default("10m")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String progressDeadline) {

  /** Reaction to a failed rollout. */
  public enum FailurePolicy {
    Halt,
    Rollback
  }
}
