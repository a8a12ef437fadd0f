package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.config.Durations;
import dev.sluice.sidecar.config.Timeouts;
import dev.sluice.sidecar.timer.Ticker;
import dev.sluice.sidecar.timer.Timeout;
import io.netty.channel.EventLoop;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The timeouts of an exchange and the time it reads: the request timeout (armed once, when the
 * request has been sent whole; cancelled by the response head), the idle timeout (armed once for
 * when it ends if nothing moves; activity only moves a timestamp, and the timer re-arms for the
 * rest when it fires early), and where the rule has them Gateway API's two: the whole-exchange
 * timeout (armed once, at the start, for the exchange's start plus the bound) and the
 * backend-request timeout (armed for each try when it gets its lease, cancelled when the try is
 * given up). Each is one reusable {@link Timeout}; {@link #cancel} ends them all, on every ending
 * and when a tunnel opens (tunnels are bound by their own idle timeout only).
 */
final class ExchangeTimers {
  /** The kind of the request timeout (end of request to response head). */
  static final String REQUEST = "timeout";

  /** The kind of the idle timeout. */
  static final String IDLE = "idle";

  /** The kind of the whole-exchange timeout (Gateway API's {@code timeouts.request}). */
  static final String EXCHANGE = "exchange_timeout";

  /** The kind of one try's timeout (Gateway API's {@code timeouts.backendRequest}). */
  static final String BACKEND_REQUEST = "backend_request_timeout";

  /** Told when a timeout ran out: its kind (one of the constants) and the 504's sentence. */
  interface Expiry {
    void expired(String kind, String sentence);
  }

  private final Ticker ticker;
  private final EventLoop loop;
  private final long requestNanos;
  private final long idleNanos;
  private final long started;
  private final Timeout request;
  private final Timeout idle;
  // Only for a rule that has them: most have neither, and pay nothing.
  private final @Nullable Timeout exchange;
  private final @Nullable Timeout backendRequest;
  private final long exchangeNanos;
  private final long backendRequestNanos;
  private long lastActivity;
  private boolean requestArmed;

  ExchangeTimers(Ticker ticker, EventLoop loop, Timeouts timeouts, String rule, Expiry expiry) {
    this.ticker = ticker;
    this.loop = loop;
    this.requestNanos = timeouts.request().toNanos();
    this.idleNanos = timeouts.idle().toNanos();
    this.started = ticker.nanoTime();
    this.lastActivity = started;
    this.request =
        new Timeout(
            () ->
                expiry.expired(
                    REQUEST,
                    "the upstream of rule "
                        + rule
                        + " did not respond within "
                        + Durations.format(timeouts.request())));
    this.idle =
        new Timeout(
            () -> {
              if (ticker.nanoTime() - lastActivity < idleNanos) {
                armIdle(); // activity moved the end: wait for the rest
                return;
              }
              expiry.expired(
                  IDLE,
                  "no body bytes moved for "
                      + Durations.format(timeouts.idle())
                      + " (idle timeout of rule "
                      + rule
                      + ")");
            });
    Duration whole = timeouts.exchange();
    this.exchangeNanos = whole == null ? 0 : whole.toNanos();
    this.exchange =
        whole == null
            ? null
            : new Timeout(
                () ->
                    expiry.expired(
                        EXCHANGE,
                        "the exchange of rule "
                            + rule
                            + " did not complete within its request timeout "
                            + Durations.format(whole)));
    Duration perTry = timeouts.backendRequest();
    this.backendRequestNanos = perTry == null ? 0 : perTry.toNanos();
    this.backendRequest =
        perTry == null
            ? null
            : new Timeout(
                () ->
                    expiry.expired(
                        BACKEND_REQUEST,
                        "the upstream of rule "
                            + rule
                            + " did not complete a response within its backendRequest timeout "
                            + Durations.format(perTry)));
  }

  /** Something moved: the idle timeout counts from now. */
  void touch() {
    lastActivity = ticker.nanoTime();
  }

  /** Arms the idle timer for when the idle timeout ends if nothing moves from now on. */
  void armIdle() {
    idle.arm(loop, lastActivity + idleNanos - ticker.nanoTime());
  }

  /** Arms the whole-exchange timeout, if the rule has one, for the exchange's start plus it. */
  void armExchange() {
    if (exchange != null) {
      exchange.arm(loop, started + exchangeNanos - ticker.nanoTime());
    }
  }

  /** Arms the request timeout, once per exchange (the request has been sent whole). */
  void armRequestOnce() {
    if (!requestArmed) {
      requestArmed = true;
      request.arm(loop, requestNanos);
    }
  }

  /** The response head arrived: the request timeout no longer applies. */
  void cancelRequest() {
    request.cancel();
  }

  /** A try starts going upstream: its own backend-request timeout, if the rule has one. */
  void armBackendRequest() {
    if (backendRequest != null) {
      backendRequest.arm(loop, backendRequestNanos);
    }
  }

  /** The try was given up (another follows): its backend-request timeout with it. */
  void cancelBackendRequest() {
    if (backendRequest != null) {
      backendRequest.cancel();
    }
  }

  /** Nanoseconds since the exchange started. */
  long elapsed() {
    return ticker.nanoTime() - started;
  }

  void cancel() {
    request.cancel();
    idle.cancel();
    if (exchange != null) {
      exchange.cancel();
    }
    cancelBackendRequest();
  }
}
