package dev.sluice.sidecar.endpoints;

import dev.sluice.sidecar.config.HostPort;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One endpoint of one upstream for as long as it stays in that upstream's endpoints: its address,
 * its requests in flight, counted sidecar-wide (every event loop's requests), which is what the
 * least-request balancer compares, and its outlier state ({@link OutlierDetector}). The same object
 * carries over updates that keep the address, so an ejection does too; a removed endpoint's state
 * goes with it.
 */
public final class UpstreamEndpoint {
  private final String address;
  private final HostPort hostPort;
  private final AtomicInteger inFlight = new AtomicInteger();

  /** Failures in a row since the last success or return; counted by every event loop. */
  final AtomicInteger consecutiveFailures = new AtomicInteger();

  /** Ejected now (until {@link #ejectedUntil}); written under the detector's lock. */
  volatile boolean ejected;

  /** When the ejection ends (a {@code nanoTime}), while {@link #ejected}. */
  volatile long ejectedUntil;

  /** Ejections so far, less the ones forgiven since ({@link OutlierDetector}); under the lock. */
  int ejections;

  /** When it last returned from an ejection (a {@code nanoTime}); under the detector's lock. */
  long returnedAt;

  public UpstreamEndpoint(String address) {
    this.address = address;
    this.hostPort = HostPort.parse(address);
  }

  public String address() {
    return address;
  }

  /** Where to connect (an IPv6 host without its brackets). */
  public HostPort hostPort() {
    return hostPort;
  }

  /** Requests picked for this endpoint and not ended yet (connecting ones included). */
  public int inFlight() {
    return inFlight.get();
  }

  /** Its failures in a row (connect failures, 502/503/504, closes before a response). */
  public int consecutiveFailures() {
    return consecutiveFailures.get();
  }

  /** A request was sent its way (counted from the pick, so connecting requests weigh too). */
  public void started() {
    inFlight.incrementAndGet();
  }

  /** A request picked for it ended (its lease released, or it got no lease). */
  public void ended() {
    inFlight.decrementAndGet();
  }

  @Override
  public String toString() {
    return address;
  }
}
