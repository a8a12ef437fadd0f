package dev.sluice.operator.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.operator.rollout.PodStep;
import dev.sluice.operator.rollout.RolloutState;
import dev.sluice.operator.rollout.RolloutStep;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A pass's steps become one Event per route, kind and revision — never one per pod — naming a few
 * pods and the route's counts; new pods catching up make none.
 */
class RolloutEventsTest {
  static final String R1 = "a645b41c2617ba3a";
  static final String R2 = "47e9e6722c0778d1";
  static final NamespaceRollout.PodPlace WEB =
      new NamespaceRollout.PodPlace(List.of("shop/web"), R2);

  static PodStep step(RolloutStep step, String pod, String revision, String previous, String why) {
    return new PodStep(step, pod, revision, previous, why);
  }

  static Map<String, NamespaceRollout.PodPlace> everyPodIn(
      NamespaceRollout.PodPlace place, int pods) {
    Map<String, NamespaceRollout.PodPlace> out = new java.util.TreeMap<>();
    for (int i = 1; i <= pods; i++) {
      out.put("web-" + i, place);
    }
    return out;
  }

  static final RolloutState ROLLING = new RolloutState(R2, R1, 6, 1, 1, 0, null, null);

  @Test
  void assignmentsAndAppliesOfTheTargetAreOneProgressEventNamingAFewPods() {
    List<PodStep> steps =
        List.of(
            step(RolloutStep.APPLIED, "web-1", R2, R1, null),
            step(RolloutStep.ASSIGNED, "web-2", R2, R1, null),
            step(RolloutStep.ASSIGNED, "web-3", R2, R1, null),
            step(RolloutStep.ASSIGNED, "web-4", R2, R1, null),
            step(RolloutStep.ASSIGNED, "web-5", R2, R1, null));
    assertThat(
            RolloutEvents.notes(
                steps, everyPodIn(WEB, 6), Map.of("shop/web", ROLLING), Set.of("shop/web")))
        .containsExactly(
            new RolloutEvents.Note(
                "shop/web",
                "Normal",
                "RolloutProgress",
                R2,
                "Revision "
                    + R2
                    + ": assigned to web-2, web-3, web-4 and 1 more; applied by web-1. 1 of 6"
                    + " selected pods updated."));
  }

  @Test
  void aRejectionAndTheRollbackItCausesAreWarningsWithTheSidecarsWords() {
    RolloutState stalled =
        new RolloutState(R2, R1, 6, 1, 1, 1, Reasons.ROLLED_BACK, "pod web-2 rejected it");
    List<PodStep> steps =
        List.of(
            step(RolloutStep.REJECTED, "web-2", R2, R1, "address in use"),
            step(RolloutStep.ROLLED_BACK, "web-1", R1, R2, "pod web-2 rejected it"),
            step(RolloutStep.ROLLED_BACK, "web-2", R1, R2, "pod web-2 rejected it"));
    assertThat(
            RolloutEvents.notes(
                steps, everyPodIn(WEB, 6), Map.of("shop/web", stalled), Set.of("shop/web")))
        .containsExactly(
            new RolloutEvents.Note(
                "shop/web",
                "Warning",
                Reasons.CONFIG_REJECTED,
                R2,
                "Revision "
                    + R2
                    + ": rejected by web-2 (address in use). 1 of 6 selected pods updated, 1"
                    + " failed."),
            new RolloutEvents.Note(
                "shop/web",
                "Warning",
                Reasons.ROLLED_BACK,
                R2,
                "Revision "
                    + R2
                    + ": rolled back to revision "
                    + R1
                    + " on web-1, web-2 (pod web-2 rejected it). 1 of 6 selected pods updated, 1"
                    + " failed."));
  }

  @Test
  void podsCatchingUpOrGivenTheLastGoodRevisionMakeNoProgressEvent() {
    RolloutState caughtUp = new RolloutState(R2, R2, 3, 3, 3, 0, null, null);
    List<PodStep> catchingUp =
        List.of(
            step(RolloutStep.ASSIGNED, "web-3", R2, null, null),
            step(RolloutStep.APPLIED, "web-3", R2, null, null));
    assertThat(
            RolloutEvents.notes(
                catchingUp, everyPodIn(WEB, 3), Map.of("shop/web", caughtUp), Set.of()))
        .as("not rolling out before nor after the pass")
        .isEmpty();

    List<PodStep> lastGood =
        List.of(step(RolloutStep.ASSIGNED, "web-9", R1, null, "a new pod runs the last good"));
    assertThat(
            RolloutEvents.notes(
                lastGood, everyPodIn(WEB, 9), Map.of("shop/web", ROLLING), Set.of("shop/web")))
        .as("a rollout is on, but of another revision")
        .isEmpty();
  }

  @Test
  void aPodOfTwoRoutesCountsForBothAndAPodOfNoRouteForNone() {
    NamespaceRollout.PodPlace both =
        new NamespaceRollout.PodPlace(List.of("shop/api", "shop/web"), R2);
    List<PodStep> steps =
        List.of(
            step(RolloutStep.HELD, "web-1", R2, R1, "contract 1"),
            step(RolloutStep.HELD, "web-2", R2, R1, "contract 1"));
    Map<String, NamespaceRollout.PodPlace> places =
        Map.of("web-1", both, "web-2", new NamespaceRollout.PodPlace(List.of(), R2));
    assertThat(
            RolloutEvents.notes(
                steps,
                places,
                Map.of("shop/api", ROLLING, "shop/web", ROLLING),
                Set.of("shop/api", "shop/web")))
        .extracting(RolloutEvents.Note::route, RolloutEvents.Note::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("shop/api", Reasons.SIDECAR_CONTRACT_TOO_OLD),
            org.assertj.core.groups.Tuple.tuple("shop/web", Reasons.SIDECAR_CONTRACT_TOO_OLD));
  }
}
