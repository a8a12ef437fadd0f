package dev.sluice.operator.rollout;

import java.util.List;
import java.util.Map;

/**
 * What to do now: new assignments (pod → revision; only pods whose assignment changes), where the
 * rollout stands, for the status, and the steps the plan takes pod by pod, for the log.
 */
record RolloutPlan(Map<String, String> assignments, RolloutState state, List<PodStep> steps) {
  public RolloutPlan {
    assignments = Map.copyOf(assignments);
    steps = List.copyOf(steps);
  }
}
