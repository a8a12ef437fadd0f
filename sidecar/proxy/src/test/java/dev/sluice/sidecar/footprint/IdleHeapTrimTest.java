package dev.sluice.sidecar.footprint;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the heap is trimmed: after traffic, once it has stopped, never twice within the spacing. */
class IdleHeapTrimTest {
  private static final long SECOND = Duration.ofSeconds(1).toNanos();
  private final IdleHeapTrim.Decision decision = new IdleHeapTrim.Decision();

  @Test
  void startupsCollectionsAreNotTraffic() {
    assertThat(decision.check(3, 0)).isFalse();
    for (long t = 2; t <= 120; t += 2) {
      assertThat(decision.check(3, t * SECOND))
          .as("no collection since the first reading")
          .isFalse();
    }
  }

  @Test
  void oneTrimOnceTrafficHasStoppedForTheQuietTime() {
    decision.check(3, 0);
    assertThat(decision.check(40, 2 * SECOND)).as("collecting: traffic").isFalse();
    assertThat(decision.check(90, 4 * SECOND)).isFalse();
    assertThat(decision.check(90, 12 * SECOND)).as("quiet for 8 s only").isFalse();
    assertThat(decision.check(90, 14 * SECOND)).as("quiet for 10 s").isTrue();
    decision.trimmed(91, 14 * SECOND);
    for (long t = 16; t <= 300; t += 2) {
      assertThat(decision.check(91, t * SECOND))
          .as("no traffic since the trim, at %d s", t)
          .isFalse();
    }
  }

  @Test
  void aTrickleOfTrafficTrimsAtMostOncePerSpacing() {
    // a collection every 20 s for 5 minutes: quiet for 10 s after each, but trims 60 s apart
    List<Long> trims = new ArrayList<>();
    long count = 0;
    decision.check(count, 0);
    for (long t = 2; t <= 300; t += 2) {
      if (t % 20 == 0) {
        count++;
      }
      if (decision.check(count, t * SECOND)) {
        trims.add(t);
        decision.trimmed(++count, t * SECOND);
      }
    }
    assertThat(trims).hasSizeBetween(4, 5);
    for (int i = 1; i < trims.size(); i++) {
      assertThat(trims.get(i) - trims.get(i - 1)).isGreaterThanOrEqualTo(60);
    }
  }

  @Test
  void trafficAfterATrimMakesTheNextOneOnceItStopsAgain() {
    decision.check(0, 0);
    decision.check(5, 2 * SECOND);
    assertThat(decision.check(5, 12 * SECOND)).isTrue();
    decision.trimmed(6, 12 * SECOND);
    assertThat(decision.check(30, 80 * SECOND)).isFalse();
    assertThat(decision.check(30, 88 * SECOND)).isFalse();
    assertThat(decision.check(30, 90 * SECOND)).isTrue();
  }
}
