package dev.sluice.operator.rollout;

import dev.sluice.api.v1alpha1.Reasons;
import java.util.Locale;
import org.slf4j.event.Level;

/**
 * The steps of a rollout, as the operator's log and the routes' Events name them: one log line per
 * step of each pod, at WARN when a human needs to look (the rollout stopped somewhere), and one
 * Event per route, kind of step and revision, counting up (never one per pod).
 */
public enum RolloutStep {
  /** The pod is handed a revision: the target, or a new pod's last good revision. */
  ASSIGNED(Level.INFO, "Normal", "RolloutProgress"),
  /** The pod's sidecar reported it runs the revision. */
  APPLIED(Level.INFO, "Normal", "RolloutProgress"),
  /** The pod's sidecar refused the revision; it keeps running the one before. */
  REJECTED(Level.WARN, "Warning", Reasons.CONFIG_REJECTED),
  /** The rollout stopped and, with {@code onFailure: Rollback}, the pod got its last good back. */
  ROLLED_BACK(Level.WARN, "Warning", Reasons.ROLLED_BACK),
  /** The pod's sidecar speaks a contract too old for the revision: it keeps its last good. */
  HELD(Level.WARN, "Warning", Reasons.SIDECAR_CONTRACT_TOO_OLD),
  /** The pod did not apply the revision within the progress deadline: the rollout gave up. */
  STALLED(Level.WARN, "Warning", Reasons.PROGRESS_DEADLINE_EXCEEDED);

  private final Level level;
  private final String eventType;
  private final String eventReason;

  RolloutStep(Level level, String eventType, String eventReason) {
    this.level = level;
    this.eventType = eventType;
    this.eventReason = eventReason;
  }

  /** The name in the log's {@code step} field: {@code assigned}, {@code rolled-back}, ... */
  public String key() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public Level level() {
    return level;
  }

  /** The type of the route's Event for this step: Normal or Warning. */
  public String eventType() {
    return eventType;
  }

  /** The reason of the route's Event for this step. */
  public String eventReason() {
    return eventReason;
  }
}
