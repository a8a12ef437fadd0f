package dev.sluice.operator.rollout;

/**
 * Where a ProxyRoute's rollout stands, as the rollout machinery reports it.
 *
 * @param targetRevision the revision being rolled out
 * @param lastGoodRevision the last revision every selected pod applied (null before the first)
 * @param selectedPods pods the selector picks that run a sidecar
 * @param updatedPods selected pods that applied the target
 * @param readyPods updated pods whose sidecar is ready
 * @param failedPods pods that rejected the target or missed the deadline
 * @param stalledReason ConfigRejected or ProgressDeadlineExceeded when the rollout stopped, else
 *     null
 * @param stalledMessage one sentence: which pod, what it said
 */
public record RolloutState(
    String targetRevision,
    String lastGoodRevision,
    int selectedPods,
    int updatedPods,
    int readyPods,
    int failedPods,
    String stalledReason,
    String stalledMessage) {

  public boolean complete() {
    return selectedPods > 0 && updatedPods == selectedPods && failedPods == 0;
  }
}
