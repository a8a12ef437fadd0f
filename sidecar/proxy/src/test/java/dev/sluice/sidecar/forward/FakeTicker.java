package dev.sluice.sidecar.forward;

import java.time.Duration;

/** A ticker moved by hand. */
final class FakeTicker implements dev.sluice.sidecar.timer.Ticker {
  private long now = 1_000_000_000L;

  @Override
  public long nanoTime() {
    return now;
  }

  void advance(Duration by) {
    now += by.toNanos();
  }
}
