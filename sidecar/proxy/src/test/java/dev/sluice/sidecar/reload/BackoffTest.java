package dev.sluice.sidecar.reload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void theDelayDoublesToItsCapAndASuccessStartsItOver() {
    Backoff backoff = new Backoff();
    long[] seen = new long[7];
    for (int i = 0; i < seen.length; i++) {
      seen[i] = backoff.delayMillis();
      backoff.grow();
    }
    assertThat(seen).containsExactly(1000, 2000, 4000, 8000, 16_000, 30_000, 30_000);
    backoff.reset();
    assertThat(backoff.delayMillis()).isEqualTo(Backoff.FIRST_MILLIS);
  }

  @Test
  void anInterruptedPauseStopsThePollerAndKeepsTheInterrupt() {
    Backoff backoff = new Backoff();
    Thread.currentThread().interrupt();
    assertThat(backoff.pause()).isFalse();
    assertThat(Thread.interrupted()).as("the flag set again").isTrue();
    assertThat(backoff.delayMillis()).as("not doubled").isEqualTo(Backoff.FIRST_MILLIS);
  }
}
