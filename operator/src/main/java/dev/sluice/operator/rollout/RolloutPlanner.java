package dev.sluice.operator.rollout;

import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.api.v1alpha1.RolloutPolicy;
import dev.sluice.operator.status.RolloutState;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The next step of a rollout, as a pure function of the pods' recorded state: stateless, so an
 * operator that restarts (or a new leader) resumes exactly where the last one stopped.
 *
 * <ul>
 *   <li>At most {@code batchSize} pods (a number, or a percentage of the selected pods rounded up,
 *       at least 1) are between "assigned the target" and "applied it"; the next pods (by name) get
 *       the target as earlier ones report applied.
 *   <li>A pod that rejects the target, or does not apply it within the progress deadline, stops the
 *       rollout ({@code ConfigRejected} / {@code ProgressDeadlineExceeded}); pods not yet assigned
 *       stay as they are. With {@code onFailure: Rollback} the pods already given the target get
 *       the last good revision back.
 *   <li>Pods that are new during a rollout get the last good revision until their turn.
 * </ul>
 */
public final class RolloutPlanner {
  static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(10);

  private RolloutPlanner() {}

  public static RolloutPlan plan(
      List<PodRollout> pods,
      String target,
      String lastGood,
      RolloutPolicy policy,
      Duration progressDeadline,
      Instant now) {
    List<PodRollout> ordered = new ArrayList<>(pods);
    ordered.sort(Comparator.comparing(PodRollout::name));
    int selected = ordered.size();
    int batch = batchSize(policy == null ? null : policy.batchSize(), selected);
    Duration deadline = progressDeadline == null ? DEFAULT_DEADLINE : progressDeadline;
    boolean rollback = policy != null && policy.onFailure() == RolloutPolicy.FailurePolicy.Rollback;

    int updated = 0;
    int inFlight = 0;
    String stalledReason = null;
    String stalledMessage = null;
    for (PodRollout pod : ordered) {
      if (target.equals(pod.applied())) {
        updated++;
      } else if (target.equals(pod.rejected())) {
        stalledReason = Reasons.CONFIG_REJECTED;
        stalledMessage =
            "pod " + pod.name() + " rejected revision " + target + ": " + pod.rejectReason();
      } else if (target.equals(pod.assigned())) {
        inFlight++;
        if (pod.assignedAt() != null
            && Duration.between(pod.assignedAt(), now).compareTo(deadline) > 0
            && stalledReason == null) {
          stalledReason = Reasons.PROGRESS_DEADLINE_EXCEEDED;
          stalledMessage =
              "pod "
                  + pod.name()
                  + " did not apply revision "
                  + target
                  + " within the progress deadline of "
                  + deadline.toSeconds()
                  + "s";
        }
      }
    }

    Map<String, String> assignments = new LinkedHashMap<>();
    if (stalledReason != null) {
      if (rollback && lastGood != null) {
        for (PodRollout pod : ordered) {
          if (target.equals(pod.assigned()) || target.equals(pod.applied())) {
            assignments.put(pod.name(), lastGood);
          }
        }
      }
    } else {
      int slots = batch - inFlight;
      for (PodRollout pod : ordered) {
        if (target.equals(pod.assigned()) || target.equals(pod.applied())) {
          continue;
        }
        if (slots > 0) {
          assignments.put(pod.name(), target);
          slots--;
        } else if (pod.assigned() == null && lastGood != null) {
          // New during the rollout: serve the last good config until its turn.
          assignments.put(pod.name(), lastGood);
        }
      }
    }
    int failed = (int) ordered.stream().filter(p -> target.equals(p.rejected())).count();
    boolean complete = selected > 0 && updated == selected;
    RolloutState state =
        new RolloutState(
            target,
            complete ? target : lastGood,
            selected,
            updated,
            updated,
            failed + (Reasons.PROGRESS_DEADLINE_EXCEEDED.equals(stalledReason) ? 1 : 0),
            stalledReason,
            stalledMessage);
    return new RolloutPlan(assignments, state);
  }

  /** A number, or "N%" of the selected pods rounded up; at least 1; default 1. */
  static int batchSize(IntOrString size, int selected) {
    if (size == null) {
      return 1;
    }
    if (size.getIntVal() != null) {
      return Math.max(1, size.getIntVal());
    }
    String text = size.getStrVal().trim();
    if (text.endsWith("%")) {
      int percent = Integer.parseInt(text.substring(0, text.length() - 1));
      return Math.max(1, (int) Math.ceil(selected * percent / 100.0));
    }
    return Math.max(1, Integer.parseInt(text));
  }
}
