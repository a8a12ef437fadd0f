package dev.sluice.sidecar.offload;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Reconnect pacing for one agent endpoint: after each consecutive failure the next attempt waits a
 * random time between half and all of an exponentially growing bound (jitter), so a refused HELLO
 * or a dead agent costs a handful of connections per second at most, never HAProxy 2.6's ~1000.
 */
final class Backoff {
  static final long BASE_NANOS = 50_000_000L;
  static final long MAX_NANOS = 10_000_000_000L;

  private int failures;
  private long notBefore;

  /** True when a connection may be attempted at {@code now}. */
  boolean ready(long now) {
    return failures == 0 || now - notBefore >= 0;
  }

  /** Nanoseconds until an attempt is allowed (0 when ready). */
  long waitNanos(long now) {
    return ready(now) ? 0 : notBefore - now;
  }

  void failed(long now) {
    failures = Math.min(failures + 1, 30);
    long bound = Math.min(MAX_NANOS, BASE_NANOS << Math.min(failures - 1, 20));
    notBefore = now + ThreadLocalRandom.current().nextLong(bound / 2, bound + 1);
  }

  void succeeded() {
    failures = 0;
  }

  int failures() {
    return failures;
  }
}
