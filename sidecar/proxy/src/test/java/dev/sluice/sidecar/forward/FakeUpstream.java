package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.upstream.EndpointTries;
import dev.sluice.sidecar.upstream.LeaseSource;
import dev.sluice.sidecar.upstream.RetryBudget;
import dev.sluice.sidecar.upstream.UpstreamLease;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayDeque;

/** Leases on request: each acquire waits for the test to grant one. */
final class FakeUpstream implements LeaseSource {
  final ArrayDeque<Promise<UpstreamLease>> asked = new ArrayDeque<>();
  final RetryBudget budget = new RetryBudget();

  @Override
  public Future<UpstreamLease> acquire(EventLoop loop, EndpointTries tries) {
    Promise<UpstreamLease> promise = loop.newPromise();
    asked.add(promise);
    return promise;
  }

  @Override
  public RetryBudget retryBudget() {
    return budget;
  }
}
