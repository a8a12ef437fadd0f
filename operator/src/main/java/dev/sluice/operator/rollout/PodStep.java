package dev.sluice.operator.rollout;

import dev.sluice.operator.pods.PodRollout;
import org.jspecify.annotations.Nullable;

/**
 * One step of one pod's rollout.
 *
 * @param step what happened
 * @param pod the pod's name
 * @param revision the revision it happened to: assigned, applied, rejected, held back, not applied
 *     in time, or (rolled back) the one the pod got back
 * @param previousRevision the revision the pod ran (applied) before, or (rolled back) the one it
 *     was taken off; null when there was none
 * @param reason one sentence saying why, for the steps that have one (a rejection's own words, the
 *     stall a rollback answers, a new pod's last good revision); else null
 */
public record PodStep(
    RolloutStep step,
    String pod,
    String revision,
    @Nullable String previousRevision,
    @Nullable String reason) {

  /**
   * The step a sidecar's report is: {@code revision} applied, or rejected for {@code reason}; null
   * when it repeats what the pod's record already says ({@code before}, read before the report was
   * recorded; null: no record), as a sidecar that restarts reports its config again.
   */
  public static @Nullable PodStep reported(
      String pod,
      @Nullable PodRollout before,
      boolean applied,
      String revision,
      @Nullable String reason) {
    String ran = before == null ? null : before.applied();
    if (applied) {
      return revision.equals(ran)
          ? null
          : new PodStep(RolloutStep.APPLIED, pod, revision, ran, null);
    }
    return before != null && revision.equals(before.rejected())
        ? null
        : new PodStep(RolloutStep.REJECTED, pod, revision, ran, reason);
  }
}
