package dev.sluice.sidecar.runtime;

import dev.sluice.sidecar.upstream.EndpointTries;
import dev.sluice.sidecar.upstream.LeaseSource;
import dev.sluice.sidecar.upstream.RetryBudget;
import dev.sluice.sidecar.upstream.UpstreamLease;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;

/**
 * The lease source of a rule without an upstream (one that redirects): its exchanges answer before
 * they ask for a lease, so asking is a bug, answered with a failure (a 503) rather than a hang.
 */
final class NoUpstream implements LeaseSource {
  private final String rule;
  private final RetryBudget budget = new RetryBudget();

  NoUpstream(String rule) {
    this.rule = rule;
  }

  @Override
  public Future<UpstreamLease> acquire(EventLoop loop, EndpointTries tries) {
    return loop.newFailedFuture(
        new IllegalStateException("rule " + rule + " has no upstream (it redirects)"));
  }

  @Override
  public RetryBudget retryBudget() {
    return budget;
  }
}
