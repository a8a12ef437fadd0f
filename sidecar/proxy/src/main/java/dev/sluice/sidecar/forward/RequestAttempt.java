package dev.sluice.sidecar.forward;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.upstream.StreamRefusedException;
import dev.sluice.sidecar.upstream.UpstreamLease;
import io.netty.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * A request's tries upstream: the lease it asks for and holds, and which failures send it again.
 * Today one kind is tried again: a stream the upstream refused before processing it
 * (REFUSED_STREAM, or past a GOAWAY's last stream id), while nothing of the body was consumed, on
 * another connection, at most {@link #MAX_REFUSALS} times. Retries of other failures land here.
 */
final class RequestAttempt {
  /** Refused (never processed) HTTP/2 streams sent again, at most, per exchange. */
  static final int MAX_REFUSALS = 2;

  private final Exchange exchange;
  private @Nullable UpstreamLease lease;
  private int refusals;

  RequestAttempt(Exchange exchange) {
    this.exchange = exchange;
  }

  /** The lease the request goes on; null before the first and while asking for another. */
  @Nullable UpstreamLease lease() {
    return lease;
  }

  /** Asks for a lease: {@code Exchange.leased} gets it, or {@code Exchange.noLease} the failure. */
  void acquire() {
    exchange
        .rule
        .upstream()
        .acquire(exchange.loop, exchange.config.timeouts().connect())
        .addListener((Future<UpstreamLease> f) -> onAcquired(f));
  }

  private void onAcquired(Future<UpstreamLease> acquired) {
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
        || refusals >= MAX_REFUSALS) {
      return false;
    }
    refusals++;
    UpstreamLease refused = requireNonNull(lease); // forwarding: the lease is held
    lease = null;
    refused.release(false);
    return true;
  }

  /** Gives the lease back, if there is one (the exchange ended). */
  void release(boolean reusable) {
    if (lease != null) {
      lease.release(reusable);
    }
  }
}
