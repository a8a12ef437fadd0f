package dev.sluice.operator.testing;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * kstatus' generic rules (sigs.k8s.io/cli-utils, {@code pkg/kstatus/status/generic.go}), which Flux
 * and {@code kubectl wait --for=jsonpath} users rely on for a custom resource it has no special
 * rules for: an observedGeneration behind the generation is InProgress; then, in list order, the
 * first {@code Reconciling=True} is InProgress and the first {@code Stalled=True} is Failed;
 * otherwise the resource is Current. (Ready is not read.)
 */
public final class Kstatus {
  public enum Status {
    IN_PROGRESS,
    FAILED,
    CURRENT
  }

  private Kstatus() {}

  public static Status of(
      @Nullable Long generation, @Nullable Long observedGeneration, List<Condition> conditions) {
    if (generation != null
        && observedGeneration != null
        && !generation.equals(observedGeneration)) {
      return Status.IN_PROGRESS;
    }
    for (Condition c : conditions) {
      if ("Reconciling".equals(c.getType()) && "True".equals(c.getStatus())) {
        return Status.IN_PROGRESS;
      }
      if ("Stalled".equals(c.getType()) && "True".equals(c.getStatus())) {
        return Status.FAILED;
      }
    }
    return Status.CURRENT;
  }
}
