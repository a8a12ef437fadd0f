package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.accesslog.AccessLog;
import dev.sluice.sidecar.accesslog.AccessLogEntry;
import dev.sluice.sidecar.accesslog.Termination;
import dev.sluice.sidecar.http2.HeadFields;
import dev.sluice.sidecar.timer.Ticker;
import dev.sluice.sidecar.trace.ExchangeSpan;
import dev.sluice.sidecar.trace.TraceParent;
import dev.sluice.sidecar.upstream.UpstreamLease;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What the access log says of an exchange, gathered while it runs: when each step started and
 * ended, where the request went, what went downstream. Event-loop confined, like its exchange;
 * cheap when the access log is off (a few fields set, nothing built).
 */
final class ExchangeRecord {
  private final Exchange exchange;
  private final Ticker ticker;
  private final long startNanos;
  private final long startMillis;
  private long offloadRequestStart = -1;
  private long offloadRequest = -1;
  private long offloadResponseStart = -1;
  private long offloadResponse = -1;
  private long acquireStart = -1;
  private long connect = -1;
  private long firstByte = -1;
  private long bytesOut;
  private int status;
  private @Nullable String upstream;
  private @Nullable String upstreamProtocol;
  private @Nullable UpstreamLease lastLease;

  ExchangeRecord(Exchange exchange, Ticker ticker) {
    this.exchange = exchange;
    this.ticker = ticker;
    this.startNanos = ticker.nanoTime();
    this.startMillis = System.currentTimeMillis();
  }

  void offloadRequestStarted() {
    offloadRequestStart = ticker.nanoTime();
  }

  void offloadRequestEnded() {
    if (offloadRequestStart >= 0 && offloadRequest < 0) {
      offloadRequest = ticker.nanoTime() - offloadRequestStart;
    }
  }

  void offloadResponseStarted() {
    offloadResponseStart = ticker.nanoTime();
  }

  void offloadResponseEnded() {
    if (offloadResponseStart >= 0 && offloadResponse < 0) {
      offloadResponse = ticker.nanoTime() - offloadResponseStart;
    }
  }

  /** Asking for a lease: the first try's or a retry's (the connect time is the last try's). */
  void acquiring() {
    acquireStart = ticker.nanoTime();
  }

  void leased(UpstreamLease lease) {
    if (acquireStart >= 0) {
      connect = ticker.nanoTime() - acquireStart;
    }
    upstream = lease.endpoint();
    lastLease = lease;
    upstreamProtocol = lease.http2() ? "HTTP/2" : "HTTP/1.1";
  }

  /** The response head (the upstream's, or a local answer) goes downstream. */
  void responseStarted(int code) {
    status = code;
    if (firstByte < 0) {
      firstByte = ticker.nanoTime() - startNanos;
    }
  }

  void responseBytes(long bytes) {
    bytesOut += bytes;
  }

  /** Writes the entry (if the access log is on and samples it) and the span (if recorded). */
  void ended(Termination termination, long bytesIn, int retries) {
    long total = ticker.nanoTime() - startNanos;
    if (exchange.trace.recorded()) {
      span(termination, total);
    }
    AccessLog log = exchange.accessLog;
    if (!log.enabled()) {
      return;
    }
    log.log(
        new AccessLogEntry(
            startMillis,
            exchange.config.listener(),
            exchange.rule.name(),
            exchange.downstream.http2() ? "HTTP/2" : "HTTP/1.1",
            exchange.downstream.clientAddressAndPort(),
            exchange.head.method().name(),
            orDash(HeadFields.get(exchange.head, HttpHeaderNames.HOST)),
            log.path(exchange.head.uri()),
            status,
            bytesIn,
            bytesOut,
            upstream,
            upstreamProtocol,
            new AccessLogEntry.Timings(
                micros(offloadRequest),
                micros(offloadResponse),
                micros(connect),
                micros(firstByte),
                micros(total)),
            retries,
            lastLease != null && lastLease.endpointEjected(),
            exchange.trace.traceId(),
            termination,
            log.headers(exchange.head)));
  }

  /**
   * Offers the exchange's span: it ended now (to the microsecond the clock gives) and started
   * {@code total} before.
   */
  private void span(Termination termination, long total) {
    TraceParent context = exchange.trace.context();
    if (context == null) {
      return;
    }
    Instant now = Instant.now();
    long end = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    DownstreamSide downstream = exchange.downstream;
    exchange
        .rule
        .spans()
        .offer(
            new ExchangeSpan(
                context,
                exchange.trace.caller(),
                end - total,
                end,
                exchange.config.listener(),
                exchange.rule.name(),
                exchange.head.method().name(),
                downstream.scheme(),
                orDash(HeadFields.get(exchange.head, HttpHeaderNames.HOST)),
                AccessLog.pathOnly(exchange.head.uri()),
                downstream.http2() ? "2" : "1.1",
                downstream.clientAddress(),
                status,
                upstream,
                termination.code(),
                termination.cause().label(),
                termination.failed() || status >= 500));
  }

  private static long micros(long nanos) {
    return nanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMicros(nanos);
  }

  private static String orDash(@Nullable String value) {
    return value == null || value.isEmpty() ? "-" : value;
  }
}
