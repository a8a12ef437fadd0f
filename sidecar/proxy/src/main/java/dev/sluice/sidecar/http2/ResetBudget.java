package dev.sluice.sidecar.http2;

import java.util.function.LongSupplier;

/**
 * At most {@code max} resets per window, counted as Netty's own reset limits count them: the window
 * starts with the first reset after the previous window ended. Event-loop confined.
 */
final class ResetBudget {
  private final int max;
  private final long windowNanos;
  private final LongSupplier nanoTime;
  private boolean started;
  private long windowStart;
  private int spent;

  ResetBudget(int max, long windowNanos, LongSupplier nanoTime) {
    this.max = max;
    this.windowNanos = windowNanos;
    this.nanoTime = nanoTime;
  }

  /** Counts one reset; false once the window holds more than {@code max}. */
  boolean spend() {
    long now = nanoTime.getAsLong();
    if (!started || now - windowStart >= windowNanos) {
      started = true;
      windowStart = now;
      spent = 0;
    }
    return ++spent <= max;
  }
}
