package dev.sluice.operator.rollout;

import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.api.v1alpha1.RolloutPolicy;
import dev.sluice.operator.pods.PodRollout;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

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
 *   <li>New pods (never assigned a revision) get the last good revision at once in every state of
 *       the rollout — running, stalled, rolled back — until their turn. With no last good revision
 *       yet (the routes' first rollout) they wait for their turn.
 *   <li>Pods still to apply a target the whole group applied before (it is the last good revision)
 *       are catching up, not a rollout, when every one of them is new: they applied nothing yet.
 * </ul>
 */
final class RolloutPlanner {
  static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(10);

  private RolloutPlanner() {}

  static RolloutPlan plan(
      List<PodRollout> pods,
      String target,
      @Nullable String lastGood,
      @Nullable RolloutPolicy policy,
      @Nullable Duration progressDeadline,
      Instant now) {
    List<PodRollout> ordered = new ArrayList<>(pods);
    ordered.sort(Comparator.comparing(PodRollout::name));
    int selected = ordered.size();
    int batch = batchSize(policy == null ? null : policy.batchSize(), selected);
    Duration deadline = progressDeadline == null ? DEFAULT_DEADLINE : progressDeadline;
    boolean rollback = policy != null && policy.onFailure() == RolloutPolicy.FailurePolicy.Rollback;

    Progress progress = Progress.of(ordered, target, deadline, now);
    Map<String, String> assignments = new LinkedHashMap<>();
    if (progress.stalledReason() != null) {
      if (rollback && lastGood != null) {
        assignments.putAll(rollBack(ordered, target, lastGood));
      }
    } else {
      assignments.putAll(nextBatch(ordered, target, batch - progress.inFlight()));
    }
    if (lastGood != null) {
      // New pods get the last good revision at once, whatever the rollout's state: running, held
      // by its batch, stalled, rolled back or done. Their turn for the target comes later, if ever.
      ordered.stream()
          .filter(p -> p.assigned() == null)
          .forEach(p -> assignments.putIfAbsent(p.name(), lastGood));
    }
    int failed = (int) ordered.stream().filter(p -> target.equals(p.rejected())).count();
    boolean complete = selected > 0 && progress.updated() == selected;
    boolean catchingUp =
        !complete
            && progress.stalledReason() == null
            && target.equals(lastGood)
            && ordered.stream()
                .allMatch(
                    p ->
                        target.equals(p.applied())
                            || (p.applied() == null && p.rejected() == null));
    RolloutState state =
        new RolloutState(
            target,
            complete ? target : lastGood,
            selected,
            progress.updated(),
            progress.updated(),
            failed + (Reasons.PROGRESS_DEADLINE_EXCEEDED.equals(progress.stalledReason()) ? 1 : 0),
            progress.stalledReason(),
            progress.stalledMessage(),
            catchingUp);
    return new RolloutPlan(assignments, state, steps(ordered, assignments, target, progress));
  }

  /**
   * The steps this plan takes, pod by pod: the pods that missed the deadline, then the assignments
   * (the target; a new pod's last good revision; or, stalled, a pod's last good revision back).
   */
  private static List<PodStep> steps(
      List<PodRollout> ordered, Map<String, String> assignments, String target, Progress progress) {
    List<PodStep> steps = new ArrayList<>();
    for (PodRollout pod : progress.late()) {
      steps.add(
          new PodStep(
              RolloutStep.STALLED,
              pod.name(),
              target,
              pod.applied(),
              "did not apply it within the progress deadline of "
                  + progress.deadline().toSeconds()
                  + "s"));
    }
    for (PodRollout pod : ordered) {
      String revision = assignments.get(pod.name());
      if (revision == null) {
        continue;
      }
      if (revision.equals(target)) {
        steps.add(new PodStep(RolloutStep.ASSIGNED, pod.name(), revision, pod.applied(), null));
      } else if (pod.assigned() == null) {
        steps.add(
            new PodStep(
                RolloutStep.ASSIGNED,
                pod.name(),
                revision,
                null,
                "a new pod runs the last good revision until its turn"));
      } else {
        steps.add(
            new PodStep(
                RolloutStep.ROLLED_BACK, pod.name(), revision, target, progress.stalledMessage()));
      }
    }
    return steps;
  }

  /**
   * How far the target got: pods that applied it, pods assigned it and not done yet, and the first
   * reason it stopped (a rejection; else a pod past the deadline), or null; the pods past the
   * deadline.
   */
  private record Progress(
      int updated,
      int inFlight,
      @Nullable String stalledReason,
      @Nullable String stalledMessage,
      List<PodRollout> late,
      Duration deadline) {

    static Progress of(List<PodRollout> ordered, String target, Duration deadline, Instant now) {
      int updated = 0;
      int inFlight = 0;
      String stalledReason = null;
      String stalledMessage = null;
      List<PodRollout> late = new ArrayList<>();
      for (PodRollout pod : ordered) {
        if (target.equals(pod.applied())) {
          updated++;
        } else if (target.equals(pod.rejected())) {
          stalledReason = Reasons.CONFIG_REJECTED;
          stalledMessage =
              "pod " + pod.name() + " rejected revision " + target + ": " + pod.rejectReason();
        } else if (target.equals(pod.assigned())) {
          inFlight++;
          boolean pastDeadline =
              pod.assignedAt() != null
                  && Duration.between(pod.assignedAt(), now).compareTo(deadline) > 0;
          if (pastDeadline) {
            late.add(pod);
          }
          if (pastDeadline && stalledReason == null) {
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
      return new Progress(updated, inFlight, stalledReason, stalledMessage, late, deadline);
    }
  }

  /** Stalled with Rollback: the pods already given the target get the last good revision back. */
  private static Map<String, String> rollBack(
      List<PodRollout> ordered, String target, String lastGood) {
    Map<String, String> assignments = new LinkedHashMap<>();
    for (PodRollout pod : ordered) {
      if (target.equals(pod.assigned()) || target.equals(pod.applied())) {
        assignments.put(pod.name(), lastGood);
      }
    }
    return assignments;
  }

  /** The next pods (by name) in the free slots. */
  private static Map<String, String> nextBatch(List<PodRollout> ordered, String target, int slots) {
    Map<String, String> assignments = new LinkedHashMap<>();
    int free = slots;
    for (PodRollout pod : ordered) {
      if (free <= 0) {
        break;
      }
      if (!target.equals(pod.assigned()) && !target.equals(pod.applied())) {
        assignments.put(pod.name(), target);
        free--;
      }
    }
    return assignments;
  }

  /** A number, or "N%" of the selected pods rounded up; at least 1; default 1. */
  static int batchSize(@Nullable IntOrString size, int selected) {
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
