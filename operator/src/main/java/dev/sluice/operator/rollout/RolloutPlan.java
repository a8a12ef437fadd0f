package dev.sluice.operator.rollout;

import java.util.Map;

/**
 * What to do now: new assignments (pod → revision; only pods whose assignment changes) and where
 * the rollout stands, for the status.
 */
record RolloutPlan(Map<String, String> assignments, RolloutState state) {
  public RolloutPlan {
    assignments = Map.copyOf(assignments);
  }
}
