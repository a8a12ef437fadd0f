package dev.sluice.sidecar.mirror;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The copies in flight to one mirror upstream, across the rules and event loops mirroring to it: at
 * most {@link #MAX_IN_FLIGHT}; a copy that finds none free is dropped (and counted), so a slow or
 * stalled mirror holds a bounded number of connections, timers and retained body buffers.
 */
public final class MirrorPermits {
  /**
   * Copies in flight per mirror upstream (collecting a body, waiting for a lease, or sent and
   * waiting for the response): with bodies up to {@code maxBodyBytes} each, this bounds the memory
   * a stalled mirror can keep alive.
   */
  public static final int MAX_IN_FLIGHT = 64;

  private final AtomicInteger inFlight = new AtomicInteger();

  /** Takes a permit; false when all are taken. */
  boolean tryAcquire() {
    while (true) {
      int now = inFlight.get();
      if (now >= MAX_IN_FLIGHT) {
        return false;
      }
      if (inFlight.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Gives back a permit taken by {@link #tryAcquire}. */
  void release() {
    inFlight.decrementAndGet();
  }

  /** Copies in flight now. */
  public int inFlight() {
    return inFlight.get();
  }
}
