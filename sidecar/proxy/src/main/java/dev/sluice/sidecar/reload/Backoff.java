package dev.sluice.sidecar.reload;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How a long-poll thread waits after a failure (the config service unreachable, a 5xx): 1 s,
 * doubling to 30 s, each wait a random half to all of it so that a fleet of sidecars does not come
 * back at once; back to 1 s after a success. For the polling threads only, which block on their
 * HTTP client anyway; never on an event loop.
 */
final class Backoff {
  static final long FIRST_MILLIS = 1000;
  static final long MAX_MILLIS = 30_000;

  private long delay = FIRST_MILLIS;

  /** A request succeeded: the next failure waits the first delay again. */
  void reset() {
    delay = FIRST_MILLIS;
  }

  /** The delay the next {@link #pause} waits at most (for the log line that announces it). */
  long delayMillis() {
    return delay;
  }

  /**
   * Waits half to all of the current delay, then doubles it. False when the thread was interrupted
   * meanwhile (its interrupt flag set again): the poller stops.
   */
  boolean pause() {
    try {
      Thread.sleep(delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    grow();
    return true;
  }

  /** Doubles the delay, up to {@link #MAX_MILLIS}. */
  void grow() {
    delay = Math.min(delay * 2, MAX_MILLIS);
  }
}
