package dev.sluice.cli.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.PodCondition;
import org.jspecify.annotations.Nullable;

/** A condition as it is stored (a ProxyRoute's, or a pod's {@code sluice.dev/ConfigApplied}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConditionLine(
    String type,
    String status,
    @Nullable String reason,
    @Nullable String message,
    @Nullable String lastTransitionTime) {

  static ConditionLine of(Condition c) {
    return new ConditionLine(
        c.getType(), c.getStatus(), c.getReason(), c.getMessage(), c.getLastTransitionTime());
  }

  static ConditionLine of(PodCondition c) {
    return new ConditionLine(
        c.getType(), c.getStatus(), c.getReason(), c.getMessage(), c.getLastTransitionTime());
  }
}
