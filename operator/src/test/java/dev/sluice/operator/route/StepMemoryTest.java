package dev.sluice.operator.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.operator.pods.PodRecord;
import dev.sluice.operator.pods.PodRollout;
import dev.sluice.operator.rollout.PodStep;
import dev.sluice.operator.rollout.RolloutStep;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each step is news once: a plan that repeats what stands, or pods whose records still say what
 * their sidecars reported, make no news on the next pass; what changes does.
 */
class StepMemoryTest {
  static final String R1 = "a645b41c2617ba3a";
  static final String R2 = "47e9e6722c0778d1";

  static PodRecord pod(String name, String assigned, String applied, String rejected) {
    return new PodRecord(
        name,
        Map.of("app", "web"),
        true,
        true,
        new PodRollout(name, assigned, null, applied, rejected, rejected == null ? null : "bad"),
        R1,
        1);
  }

  final StepMemory memory = new StepMemory();

  StepMemory.News pass(List<PodRecord> pods, List<PodStep> planned) {
    StepMemory.News news = memory.next("shop", pods, planned);
    memory.told("shop", news);
    return news;
  }

  @Test
  void whatThePodsRecordedBeforeTheFirstPassIsNoNewsAndLaterChangesAre() {
    assertThat(pass(List.of(pod("web-1", R1, R1, null)), List.of()).all()).isEmpty();

    PodStep assign = new PodStep(RolloutStep.ASSIGNED, "web-1", R2, R1, null);
    assertThat(pass(List.of(pod("web-1", R1, R1, null)), List.of(assign)).found())
        .containsExactly(assign);
    // The informer has not seen the assignment yet and the plan says it again: no news.
    assertThat(pass(List.of(pod("web-1", R1, R1, null)), List.of(assign)).all()).isEmpty();

    StepMemory.News rejected = pass(List.of(pod("web-1", R2, R1, R2)), List.of());
    assertThat(rejected.reported())
        .containsExactly(new PodStep(RolloutStep.REJECTED, "web-1", R2, R1, "bad"));
    assertThat(pass(List.of(pod("web-1", R2, R1, R2)), List.of()).all()).isEmpty();
  }

  @Test
  void aStandingStepIsNewsWhenItStartsAndAgainOnlyAfterItEnded() {
    PodStep held = new PodStep(RolloutStep.HELD, "web-2", R2, R1, "contract 1");
    List<PodRecord> pods = List.of(pod("web-2", R1, R1, null));
    assertThat(pass(pods, List.of(held)).found()).containsExactly(held);
    assertThat(pass(pods, List.of(held)).all()).isEmpty();
    assertThat(pass(pods, List.of()).all()).isEmpty();
    assertThat(pass(pods, List.of(held)).found()).containsExactly(held);
  }

  @Test
  void reportsComeFirstThenWhatStandsThenWhatThePassTakes() {
    pass(List.of(pod("web-1", R2, R1, null), pod("web-2", R2, R1, null)), List.of());
    PodStep stalled = new PodStep(RolloutStep.STALLED, "web-2", R2, R1, "late");
    PodStep back = new PodStep(RolloutStep.ROLLED_BACK, "web-1", R1, R2, "late");
    StepMemory.News news =
        pass(
            List.of(pod("web-1", R2, R2, null), pod("web-2", R2, R1, null)),
            List.of(back, stalled));
    assertThat(news.all())
        .containsExactly(new PodStep(RolloutStep.APPLIED, "web-1", R2, R1, null), stalled, back);
  }

  @Test
  void podsThatAreGoneAreForgotten() {
    pass(List.of(pod("web-1", R1, R1, null)), List.of());
    pass(List.of(), List.of());
    // web-1 again (a new pod of that name): first seen, its record is no news.
    assertThat(pass(List.of(pod("web-1", R2, R2, null)), List.of()).all()).isEmpty();
  }
}
