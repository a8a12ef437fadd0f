package dev.sluice.sidecar.backends;

import dev.sluice.sidecar.upstream.EndpointTries;
import dev.sluice.sidecar.upstream.LeaseSource;
import dev.sluice.sidecar.upstream.RetryBudget;
import dev.sluice.sidecar.upstream.UpstreamLease;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;

/**
 * The lease source of a backend without an upstream: an exchange answers such a backend's requests
 * before it asks for a lease, so an ask is a bug, failed naming why.
 */
final class Nowhere implements LeaseSource {
  private final String why;
  private final RetryBudget budget = new RetryBudget();

  Nowhere(String why) {
    this.why = why;
  }

  @Override
  public Future<UpstreamLease> acquire(EventLoop loop, EndpointTries tries) {
    return loop.newFailedFuture(new IllegalStateException("no upstream: " + why));
  }

  @Override
  public RetryBudget retryBudget() {
    return budget;
  }
}
