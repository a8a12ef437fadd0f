package dev.sluice.sidecar.forward;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.upstream.EndpointTries;
import dev.sluice.sidecar.upstream.StreamRefusedException;
import dev.sluice.sidecar.upstream.UpstreamLease;
import io.netty.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * A request's tries upstream: the lease it asks for and holds, and which failures send it again.
 * Failures before any byte reached the upstream are tried again, always, as {@link EndpointTries}
 * bounds them: a failed connection attempt (inside the pool, on another endpoint), and a stream the
 * upstream refused before processing it (REFUSED_STREAM, or past a GOAWAY's last stream id) while
 * nothing of the body was consumed (here: another endpoint when there is one, else another
 * connection). The retry policy of later increments lands here too.
 */
final class RequestAttempt {
  private final Exchange exchange;
  private @Nullable UpstreamLease lease;
  private @Nullable EndpointTries tries;
  private int connectRetriesCounted;

  RequestAttempt(Exchange exchange) {
    this.exchange = exchange;
  }

  /** The lease the request goes on; null before the first and while asking for another. */
  @Nullable UpstreamLease lease() {
    return lease;
  }

  /** Asks for a lease: {@code Exchange.leased} gets it, or {@code Exchange.noLease} the failure. */
  void acquire() {
    if (tries == null) {
      tries = new EndpointTries(exchange.config.timeouts().connect());
    }
    exchange
        .rule
        .upstream()
        .acquire(exchange.loop, tries)
        .addListener((Future<UpstreamLease> f) -> onAcquired(f));
  }

  private void onAcquired(Future<UpstreamLease> acquired) {
    countConnectRetries();
    if (!acquired.isSuccess()) {
      exchange.noLease(acquired.cause());
      return;
    }
    UpstreamLease got = acquired.getNow();
    if (exchange.done()) {
      got.release(false);
      return;
    }
    lease = got;
    exchange.leased(got);
  }

  /**
   * True (the refused lease given back, and counted) when the exchange may ask for another lease
   * after {@code cause}: the stream was refused unprocessed, the request is still being forwarded
   * with no response, and none of its body was read yet.
   */
  boolean retry(Throwable cause, Phase phase, boolean bodyUntouched) {
    if (!(cause instanceof StreamRefusedException)
        || phase != Phase.FORWARDING
        || !bodyUntouched
        || tries == null
        || !tries.retryRefused()) {
      return false;
    }
    UpstreamLease refused = requireNonNull(lease); // forwarding: the lease is held
    lease = null;
    refused.release(false);
    return true;
  }

  /** Connection attempts the pool tried again elsewhere: counted, each once. */
  private void countConnectRetries() {
    int retried = tries == null ? 0 : tries.connectFailuresRetried();
    for (; connectRetriesCounted < retried; connectRetriesCounted++) {
      exchange.metrics.upstreamError(exchange.rule.name(), "connect_retried");
    }
  }

  /** Gives the lease back, if there is one (the exchange ended). */
  void release(boolean reusable) {
    if (lease != null) {
      lease.release(reusable);
    }
  }
}
