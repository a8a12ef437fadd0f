package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.accesslog.Actor;
import dev.sluice.sidecar.accesslog.Cause;
import dev.sluice.sidecar.accesslog.Stage;
import dev.sluice.sidecar.accesslog.Termination;
import dev.sluice.sidecar.endpoints.NoEndpointException;
import dev.sluice.sidecar.upstream.StreamResetException;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * What the sidecar answers, in its own words, when the upstream side fails an exchange; each
 * counted under {@code sluice_upstream_errors} with its kind. The exchange decides whether the
 * answer can still be given (nothing of a response went downstream) or the exchange is cut.
 */
final class UpstreamTrouble {
  /**
   * No lease could be had: 503. No endpoint to go to ({@code no_endpoint}: the cluster is not known
   * yet, has no endpoint, or none serves), or every try to connect failed or timed out, or the pool
   * closed ({@code connect}).
   */
  static Ending noLease(Exchange exchange, Throwable cause) {
    if (cause instanceof NoEndpointException none) {
      return counted(
          exchange,
          "no_endpoint",
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          "no endpoint for the upstream of rule " + name(exchange) + ": " + none.getMessage(),
          Termination.of(Actor.UPSTREAM, Stage.CONNECT, Cause.NO_ENDPOINT));
    }
    return counted(
        exchange,
        "connect",
        HttpResponseStatus.SERVICE_UNAVAILABLE,
        "no connection to the upstream of rule " + name(exchange) + ": " + Causes.describe(cause),
        Termination.of(
            Actor.UPSTREAM, Stage.CONNECT, Cause.CONNECT_FAILED, Causes.describe(cause)));
  }

  /** The response could not be read (a bad status line or field, bad chunk framing): 502. */
  static Ending malformed(Exchange exchange, Throwable cause) {
    return counted(
        exchange,
        "malformed",
        HttpResponseStatus.BAD_GATEWAY,
        "the upstream of rule "
            + name(exchange)
            + " sent a malformed response: "
            + Causes.framing(cause),
        Termination.of(Actor.UPSTREAM, Stage.NONE, Cause.MALFORMED, Causes.framing(cause)));
  }

  /**
   * The connection or stream closed before a response came: 502. After the response started, an
   * upstream's RST_STREAM CANCEL is passed on as a cancellation (a gRPC client reads CANCELLED).
   */
  static Ending closed(Exchange exchange, Throwable cause, boolean responseStarted) {
    if (responseStarted && cause instanceof StreamResetException reset && reset.cancelled()) {
      exchange.metrics.upstreamError(name(exchange), "closed");
      return Ending.cancelled("the upstream of rule " + name(exchange) + " cancelled the stream");
    }
    return counted(
        exchange,
        "closed",
        HttpResponseStatus.BAD_GATEWAY,
        "the upstream of rule "
            + name(exchange)
            + " closed the exchange before responding: "
            + Causes.describe(cause),
        cause instanceof StreamResetException reset
            ? Termination.of(Actor.UPSTREAM, Stage.NONE, Cause.RESET, reset.errorName())
            : Termination.of(Actor.UPSTREAM, Stage.NONE, Cause.CLOSED));
  }

  /**
   * A timeout ran out ({@code kind}: one of {@link ExchangeTimers}' kinds, or {@link
   * RequestAttempt#PER_TRY_TIMEOUT}): 504; {@code slow} is who the exchange was waiting for.
   */
  static Ending timedOut(Exchange exchange, String kind, String sentence, Actor slow) {
    Cause cause =
        switch (kind) {
          case ExchangeTimers.IDLE -> Cause.TIMEOUT_IDLE;
          case RequestAttempt.PER_TRY_TIMEOUT -> Cause.TIMEOUT_PER_TRY;
          case ExchangeTimers.EXCHANGE -> Cause.TIMEOUT_EXCHANGE;
          case ExchangeTimers.BACKEND_REQUEST -> Cause.TIMEOUT_BACKEND_REQUEST;
          default -> Cause.TIMEOUT_REQUEST;
        };
    return counted(
        exchange,
        kind,
        HttpResponseStatus.GATEWAY_TIMEOUT,
        sentence,
        Termination.of(slow, Stage.NONE, cause));
  }

  private static Ending counted(
      Exchange exchange,
      String kind,
      HttpResponseStatus status,
      String sentence,
      Termination termination) {
    exchange.metrics.upstreamError(name(exchange), kind);
    return Ending.answered(status, sentence, termination);
  }

  private static String name(Exchange exchange) {
    return exchange.rule.name();
  }

  private UpstreamTrouble() {}
}
