package dev.sluice.cli.status;

import dev.sluice.operator.pods.PodRollout;
import java.util.Objects;

/**
 * Where a selected pod stands, from the rollout record the operator keeps on it. The first that
 * holds wins.
 */
public enum PodState {
  /** Its sidecar rejected the revision it is assigned ({@code rejected-revision} = assigned). */
  failed,
  /** No revision assigned yet (a new pod the operator has not reached). */
  pending,
  /** Assigned a revision its sidecar has not reported applied. */
  behind,
  /** Applied the revision it is assigned. */
  current;

  public static PodState of(PodRollout rollout) {
    if (rollout.assigned() == null) {
      return pending;
    }
    if (rollout.assigned().equals(rollout.rejected())) {
      return failed;
    }
    if (!Objects.equals(rollout.assigned(), rollout.applied())) {
      return behind;
    }
    return current;
  }

  /** Failed or behind: worth a next step. */
  public boolean needsAttention() {
    return this == failed || this == behind;
  }
}
