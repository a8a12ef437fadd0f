package dev.sluice.operator.rollout;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.api.v1alpha1.RolloutPolicy;
import dev.sluice.operator.pods.PodRecord;
import dev.sluice.sidecar.config.Durations;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The rollout of one group: the pods that run the same revision because the same ProxyRoutes select
 * them. They roll it out together under the strictest policy of those routes — the smallest batch,
 * the shortest progress deadline, Rollback if any route asks for it — from the last good revision
 * most of them record.
 */
public final class GroupRollout {
  private GroupRollout() {}

  /**
   * What to do for the group now.
   *
   * @param assignments new assignments, pod → revision (only pods whose assignment changes)
   * @param settled pods that now record the target as their last good revision (all applied it)
   * @param state where the group's rollout stands, with its ready pods and any rollback said
   * @param steps what the plan does and finds pod by pod: assignments, rollbacks, missed deadlines
   */
  public record Step(
      Map<String, String> assignments,
      List<String> settled,
      RolloutState state,
      List<PodStep> steps) {
    public Step {
      assignments = Map.copyOf(assignments);
      settled = List.copyOf(settled);
      steps = List.copyOf(steps);
    }
  }

  /** The next step of rolling {@code revision} out to {@code pods}, selected by {@code routes}. */
  public static Step plan(
      String revision, List<PodRecord> pods, List<ProxyRoute> routes, Instant now) {
    String lastGood = lastGood(pods);
    RolloutPolicy policy = strictest(routes, pods.size());
    RolloutPlan plan =
        RolloutPlanner.plan(
            pods.stream().map(PodRecord::rollout).toList(),
            revision,
            lastGood,
            policy,
            deadline(routes),
            now);
    List<String> settled =
        plan.state().complete()
            ? pods.stream()
                .filter(p -> !revision.equals(p.lastGood()))
                .map(PodRecord::name)
                .toList()
            : List.of();
    return new Step(
        plan.assignments(), settled, reported(plan.state(), pods, policy, lastGood), plan.steps());
  }

  /** The planner's state, counting the ready pods and saying when the pods were rolled back. */
  private static RolloutState reported(
      RolloutState state, List<PodRecord> pods, RolloutPolicy policy, @Nullable String lastGood) {
    String target = requireNonNull(state.targetRevision(), "the planner's state names its target");
    int ready =
        (int) pods.stream().filter(p -> p.ready() && target.equals(p.rollout().applied())).count();
    String reason = state.stalledReason();
    String message = state.stalledMessage();
    if (reason != null
        && policy.onFailure() == RolloutPolicy.FailurePolicy.Rollback
        && lastGood != null) {
      reason = Reasons.ROLLED_BACK;
      message = message + "; the updated pods were returned to revision " + lastGood;
    }
    return new RolloutState(
        state.targetRevision(),
        state.lastGoodRevision(),
        state.selectedPods(),
        state.updatedPods(),
        ready,
        state.failedPods(),
        reason,
        message,
        state.catchingUp());
  }

  /** The last good revision the group's pods record; the most common one wins. */
  private static @Nullable String lastGood(List<PodRecord> pods) {
    Map<String, Long> counts =
        pods.stream()
            .map(PodRecord::lastGood)
            .filter(r -> r != null)
            .collect(Collectors.groupingBy(r -> r, TreeMap::new, Collectors.counting()));
    return counts.entrySet().stream()
        .max(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey)
        .orElse(null);
  }

  /** Smallest batch (resolved against the group's size), Rollback if any route asks for it. */
  static RolloutPolicy strictest(List<ProxyRoute> routes, int groupSize) {
    int batch = Integer.MAX_VALUE;
    boolean rollback = false;
    for (ProxyRoute route : routes) {
      RolloutPolicy p = route.getSpec().rollout();
      batch =
          Math.min(batch, RolloutPlanner.batchSize(p == null ? null : p.batchSize(), groupSize));
      rollback |= p != null && p.onFailure() == RolloutPolicy.FailurePolicy.Rollback;
    }
    return new RolloutPolicy(
        new IntOrString(batch == Integer.MAX_VALUE ? 1 : batch),
        rollback ? RolloutPolicy.FailurePolicy.Rollback : RolloutPolicy.FailurePolicy.Halt,
        null);
  }

  /** Shortest progress deadline of the group's routes (default 10 minutes). */
  static Duration deadline(List<ProxyRoute> routes) {
    Duration shortest = null;
    for (ProxyRoute route : routes) {
      RolloutPolicy p = route.getSpec().rollout();
      if (p != null && p.progressDeadline() != null) {
        Duration d = Durations.parse(p.progressDeadline());
        shortest = shortest == null || d.compareTo(shortest) < 0 ? d : shortest;
      }
    }
    return shortest == null ? RolloutPlanner.DEFAULT_DEADLINE : shortest;
  }
}
