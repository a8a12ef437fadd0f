package dev.sluice.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.api.v1alpha1.RolloutPolicy;
import dev.sluice.operator.pods.PodRollout;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Rollouts driven against simulated sidecars: the planner's assignments are applied to a model of
 * the pods, the "sidecars" apply (or reject) what they are assigned, and the planner runs again —
 * exactly what the reconciler will do with real pods and the config service.
 */
class RolloutPlannerTest {
  static final String OLD = "0000000000000old";
  static final String NEW = "0000000000000new";
  static final Instant T0 = Instant.parse("2026-11-21T12:00:00Z");

  /** The simulated cluster: pod name → recorded state. */
  private final Map<String, PodRollout> pods = new TreeMap<>();

  private Instant now = T0;

  void givenPods(int count) {
    for (int i = 1; i <= count; i++) {
      addPod(String.format("web-%02d", i), OLD);
    }
  }

  void addPod(String name, String running) {
    pods.put(
        name, new PodRollout(name, running, running == null ? null : now, running, null, null));
  }

  RolloutPlan step(RolloutPolicy policy) {
    RolloutPlan plan =
        RolloutPlanner.plan(
            List.copyOf(pods.values()), NEW, OLD, policy, Duration.ofMinutes(10), now);
    plan.assignments()
        .forEach(
            (name, revision) -> {
              PodRollout p = pods.get(name);
              pods.put(
                  name,
                  new PodRollout(name, revision, now, p.applied(), p.rejected(), p.rejectReason()));
            });
    return plan;
  }

  int inFlight() {
    return (int)
        pods.values().stream()
            .filter(
                p ->
                    NEW.equals(p.assigned())
                        && !NEW.equals(p.applied())
                        && !NEW.equals(p.rejected()))
            .count();
  }

  /**
   * Sidecars answer: the first {@code howMany} pods waiting on NEW apply it (or web-07 rejects).
   */
  void sidecarsAnswer(int howMany, boolean web07Rejects) {
    now = now.plusSeconds(5);
    int answered = 0;
    for (PodRollout p : new ArrayList<>(pods.values())) {
      boolean waiting =
          p.assigned() != null
              && !p.assigned().equals(p.applied())
              && !p.assigned().equals(p.rejected());
      if (!waiting || answered >= howMany) {
        continue;
      }
      answered++;
      if (web07Rejects && p.name().equals("web-07") && NEW.equals(p.assigned())) {
        pods.put(
            p.name(),
            new PodRollout(
                p.name(),
                p.assigned(),
                p.assignedAt(),
                p.applied(),
                NEW,
                "rules[0].upstream: bad"));
      } else {
        pods.put(
            p.name(),
            new PodRollout(p.name(), p.assigned(), p.assignedAt(), p.assigned(), null, null));
      }
    }
  }

  static RolloutPolicy policy(String batch, RolloutPolicy.FailurePolicy onFailure) {
    return new RolloutPolicy(new IntOrString(batch), onFailure, "10m");
  }

  @Test
  void twentyPodsInQuarterBatchesNeverHaveMoreThanFiveInFlight() {
    givenPods(20);
    RolloutPlan plan = null;
    for (int i = 0; i < 100; i++) {
      plan = step(policy("25%", RolloutPolicy.FailurePolicy.Halt));
      assertThat(inFlight()).as("step %d", i).isLessThanOrEqualTo(5);
      if (plan.state().updatedPods() == 20) {
        break;
      }
      sidecarsAnswer(2, false); // slower than the batch: the planner must wait
    }
    assertThat(plan.state().updatedPods()).isEqualTo(20);
    assertThat(plan.state().stalledReason()).isNull();
    assertThat(plan.state().lastGoodRevision()).isEqualTo(NEW);
  }

  @Test
  void aRejectionStallsTheRolloutLeavesTheRestAloneAndRollsBackWhenAsked() {
    givenPods(20);
    RolloutPlan plan = null;
    for (int i = 0; i < 20; i++) {
      plan = step(policy("5", RolloutPolicy.FailurePolicy.Rollback));
      if (plan.state().stalledReason() != null) {
        break;
      }
      sidecarsAnswer(5, true);
    }
    assertThat(plan.state().stalledReason()).isEqualTo(Reasons.CONFIG_REJECTED);
    assertThat(plan.state().stalledMessage())
        .isEqualTo("pod web-07 rejected revision " + NEW + ": rules[0].upstream: bad");
    // pods past the batch that met the rejection were never given NEW
    assertThat(pods.get("web-11").assigned()).isEqualTo(OLD);
    assertThat(pods.get("web-20").assigned()).isEqualTo(OLD);
    // rollback: every pod that had NEW is handed OLD again
    assertThat(plan.assignments()).containsEntry("web-01", OLD).containsEntry("web-07", OLD);
    assertThat(pods.values()).allSatisfy(p -> assertThat(p.assigned()).isEqualTo(OLD));
  }

  @Test
  void withHaltTheUpdatedPodsKeepTheTarget() {
    givenPods(10);
    RolloutPlan plan = null;
    for (int i = 0; i < 20 && (plan == null || plan.state().stalledReason() == null); i++) {
      plan = step(policy("4", RolloutPolicy.FailurePolicy.Halt));
      sidecarsAnswer(4, true);
    }
    plan = step(policy("4", RolloutPolicy.FailurePolicy.Halt));
    assertThat(plan.state().stalledReason()).isEqualTo(Reasons.CONFIG_REJECTED);
    assertThat(plan.assignments()).isEmpty();
    assertThat(pods.get("web-01").applied()).isEqualTo(NEW);
  }

  @Test
  void aPodThatNeverAnswersHitsTheProgressDeadline() {
    givenPods(3);
    step(policy("1", RolloutPolicy.FailurePolicy.Halt));
    now = now.plus(Duration.ofMinutes(11));
    RolloutPlan plan = step(policy("1", RolloutPolicy.FailurePolicy.Halt));
    assertThat(plan.state().stalledReason()).isEqualTo(Reasons.PROGRESS_DEADLINE_EXCEEDED);
    assertThat(plan.state().stalledMessage()).contains("web-01").contains("600s");
  }

  @Test
  void aNewOperatorResumesFromWhatThePodsRecord() {
    givenPods(12);
    step(policy("25%", RolloutPolicy.FailurePolicy.Halt)); // 3 assigned
    sidecarsAnswer(3, false);
    // "restart": nothing but the pods' records carries over; the next plan continues
    RolloutPlan resumed = step(policy("25%", RolloutPolicy.FailurePolicy.Halt));
    assertThat(resumed.state().updatedPods()).isEqualTo(3);
    assertThat(resumed.assignments()).hasSize(3).containsKeys("web-04", "web-05", "web-06");
  }

  @Test
  void podsAddedOrRemovedMidRolloutAreHandled() {
    givenPods(8);
    step(policy("2", RolloutPolicy.FailurePolicy.Halt));
    sidecarsAnswer(2, false);
    addPod("web-99", null); // created during the rollout, last in line
    pods.remove("web-05");
    RolloutPlan plan = step(policy("2", RolloutPolicy.FailurePolicy.Halt));
    assertThat(plan.assignments()).containsEntry("web-99", OLD); // last good until its turn
    for (int i = 0; i < 30 && plan.state().updatedPods() < pods.size(); i++) {
      sidecarsAnswer(2, false);
      plan = step(policy("2", RolloutPolicy.FailurePolicy.Halt));
      assertThat(inFlight()).isLessThanOrEqualTo(2);
    }
    assertThat(plan.state().selectedPods()).isEqualTo(8);
    assertThat(plan.state().updatedPods()).isEqualTo(8);
    assertThat(pods.get("web-99").applied()).isEqualTo(NEW);
  }

  /** Rolls NEW out over eight pods until web-07 rejects it, then adds a pod. */
  RolloutPlan stalledThenANewPod(RolloutPolicy.FailurePolicy onFailure) {
    givenPods(8);
    RolloutPlan plan = null;
    for (int i = 0; i < 20 && (plan == null || plan.state().stalledReason() == null); i++) {
      plan = step(policy("4", onFailure));
      sidecarsAnswer(4, true);
    }
    addPod("web-99", null);
    return step(policy("4", onFailure));
  }

  @Test
  void aNewPodGetsTheLastGoodRevisionWhenTheRolloutIsHalted() {
    RolloutPlan plan = stalledThenANewPod(RolloutPolicy.FailurePolicy.Halt);
    assertThat(plan.state().stalledReason()).isEqualTo(Reasons.CONFIG_REJECTED);
    assertThat(plan.assignments()).containsExactly(Map.entry("web-99", OLD));
  }

  @Test
  void aNewPodGetsTheLastGoodRevisionWhenTheRolloutWasRolledBack() {
    RolloutPlan plan = stalledThenANewPod(RolloutPolicy.FailurePolicy.Rollback);
    assertThat(plan.state().stalledReason()).isEqualTo(Reasons.CONFIG_REJECTED);
    assertThat(plan.assignments()).containsEntry("web-99", OLD);
    assertThat(pods.values()).allSatisfy(p -> assertThat(p.assigned()).isEqualTo(OLD));
  }

  @Test
  void aNewPodGetsTheLastGoodRevisionPastTheProgressDeadline() {
    givenPods(3);
    step(policy("1", RolloutPolicy.FailurePolicy.Halt));
    now = now.plus(Duration.ofMinutes(11));
    addPod("web-99", null);
    RolloutPlan plan = step(policy("1", RolloutPolicy.FailurePolicy.Halt));
    assertThat(plan.state().stalledReason()).isEqualTo(Reasons.PROGRESS_DEADLINE_EXCEEDED);
    assertThat(plan.assignments()).containsExactly(Map.entry("web-99", OLD));
  }

  @Test
  void newPodsJoiningARolledOutRevisionCatchUpWhileOtherRevisionsRollOut() {
    List<PodRollout> scaledUp =
        List.of(
            new PodRollout("web-01", NEW, T0, NEW, null, null),
            new PodRollout("web-02", NEW, T0, NEW, null, null),
            new PodRollout("web-03", null, null, null, null, null));
    RolloutPlan plan =
        RolloutPlanner.plan(
            scaledUp, NEW, NEW, policy("1", RolloutPolicy.FailurePolicy.Halt), null, T0);
    assertThat(plan.assignments()).containsExactly(Map.entry("web-03", NEW));
    assertThat(plan.state().catchingUp()).isTrue();
    assertThat(plan.state().rolledOut()).isTrue();
    assertThat(plan.state().complete()).isFalse();

    // Back to a revision applied before, with a pod running another one: a rollout.
    List<PodRollout> reverted =
        List.of(
            new PodRollout("web-01", NEW, T0, NEW, null, null),
            new PodRollout("web-02", OLD, T0, OLD, null, null));
    RolloutPlan revert =
        RolloutPlanner.plan(
            reverted, NEW, NEW, policy("1", RolloutPolicy.FailurePolicy.Halt), null, T0);
    assertThat(revert.state().catchingUp()).isFalse();
    assertThat(revert.state().rolledOut()).isFalse();
  }

  @Test
  void thePlanSaysItsStepsPodByPod() {
    givenPods(3);
    RolloutPlan first = step(policy("1", RolloutPolicy.FailurePolicy.Rollback));
    assertThat(first.steps())
        .containsExactly(new PodStep(RolloutStep.ASSIGNED, "web-01", NEW, OLD, null));

    now = now.plus(Duration.ofMinutes(11));
    addPod("web-99", null);
    RolloutPlan late = step(policy("1", RolloutPolicy.FailurePolicy.Rollback));
    assertThat(late.steps())
        .containsExactly(
            new PodStep(
                RolloutStep.STALLED,
                "web-01",
                NEW,
                OLD,
                "did not apply it within the progress deadline of 600s"),
            new PodStep(
                RolloutStep.ROLLED_BACK,
                "web-01",
                OLD,
                NEW,
                "pod web-01 did not apply revision "
                    + NEW
                    + " within the progress deadline of 600s"),
            new PodStep(
                RolloutStep.ASSIGNED,
                "web-99",
                OLD,
                null,
                "a new pod runs the last good revision until its turn"));
  }

  @Test
  void batchSizesAreNumbersOrPercentagesRoundedUp() {
    assertThat(RolloutPlanner.batchSize(null, 20)).isEqualTo(1);
    assertThat(RolloutPlanner.batchSize(new IntOrString(3), 20)).isEqualTo(3);
    assertThat(RolloutPlanner.batchSize(new IntOrString("25%"), 20)).isEqualTo(5);
    assertThat(RolloutPlanner.batchSize(new IntOrString("10%"), 3)).isEqualTo(1);
    assertThat(RolloutPlanner.batchSize(new IntOrString("0"), 3)).isEqualTo(1);
  }
}
