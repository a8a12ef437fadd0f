package dev.sluice.operator.rollout;

import org.jspecify.annotations.Nullable;

/**
 * Where a ProxyRoute's rollout stands, as the rollout machinery reports it.
 *
 * @param targetRevision the revision being rolled out (null for a route with no config)
 * @param lastGoodRevision the last revision every selected pod applied (null before the first)
 * @param selectedPods pods the selector picks that run a sidecar
 * @param updatedPods selected pods that applied the target
 * @param readyPods updated pods whose sidecar is ready
 * @param failedPods pods that rejected the target or missed the deadline
 * @param stalledReason ConfigRejected or ProgressDeadlineExceeded when the rollout stopped, else
 *     null
 * @param stalledMessage one sentence: which pod, what it said (null when not stalled)
 * @param catchingUp the target was rolled out to the whole group before (it is the last good
 *     revision) and the pods still to apply it are new ones: they catch up, the route is not
 *     rolling out
 */
public record RolloutState(
    @Nullable String targetRevision,
    @Nullable String lastGoodRevision,
    int selectedPods,
    int updatedPods,
    int readyPods,
    int failedPods,
    @Nullable String stalledReason,
    @Nullable String stalledMessage,
    boolean catchingUp) {

  /** A state with no new pods catching up. */
  public RolloutState(
      @Nullable String targetRevision,
      @Nullable String lastGoodRevision,
      int selectedPods,
      int updatedPods,
      int readyPods,
      int failedPods,
      @Nullable String stalledReason,
      @Nullable String stalledMessage) {
    this(
        targetRevision,
        lastGoodRevision,
        selectedPods,
        updatedPods,
        readyPods,
        failedPods,
        stalledReason,
        stalledMessage,
        false);
  }

  public boolean complete() {
    return selectedPods > 0 && updatedPods == selectedPods && failedPods == 0;
  }

  /** Every selected pod applied the target, or is a new pod catching up to it. */
  public boolean rolledOut() {
    return complete() || (catchingUp && stalledReason == null);
  }

  /**
   * A revision the pods have not all applied before is being rolled out: some pod is selected, the
   * rollout did not stop, and not every pod applied it (nor is only catching up to it).
   */
  public boolean rollingOut() {
    return stalledReason == null && selectedPods > 0 && !rolledOut();
  }
}
