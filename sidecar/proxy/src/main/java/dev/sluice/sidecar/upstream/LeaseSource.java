package dev.sluice.sidecar.upstream;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.time.Duration;

/**
 * Where an exchange gets its upstream lease: {@link UpstreamPool} in the proxy, a fake in an
 * exchange test. The endpoint choice, tries elsewhere and load balancing live behind it.
 */
public interface LeaseSource {
  /**
   * A lease on {@code loop}: an HTTP/1.1 connection or an HTTP/2 stream; fails when none can be had
   * within {@code connectTimeout}. The future completes on {@code loop}.
   */
  default Future<UpstreamLease> acquire(EventLoop loop, Duration connectTimeout) {
    return acquire(loop, new EndpointTries(connectTimeout));
  }

  /**
   * A lease for a request's next try: on an endpoint {@code tries} has not tried when there is one;
   * failed connection attempts are tried again as {@link EndpointTries} allows.
   */
  Future<UpstreamLease> acquire(EventLoop loop, EndpointTries tries);

  /** The upstream's requests and retries in flight, which retry policies draw on. */
  RetryBudget retryBudget();
}
