package dev.sluice.sidecar.endpoints;

import dev.sluice.sidecar.config.HostPort;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One endpoint of one upstream for as long as it stays in that upstream's endpoints: its address
 * and its requests in flight, counted sidecar-wide (every event loop's requests), which is what the
 * least-request balancer compares. The same object carries over updates that keep the address.
 */
public final class UpstreamEndpoint {
  private final String address;
  private final HostPort hostPort;
  private final AtomicInteger inFlight = new AtomicInteger();

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
