package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.config.Durations;
import dev.sluice.sidecar.config.Timeouts;
import dev.sluice.sidecar.timer.Ticker;
import dev.sluice.sidecar.timer.Timeout;
import io.netty.channel.EventLoop;

/**
 * The two timeouts of an exchange and the time it reads: the request timeout (armed once, when the
 * request has been sent whole; cancelled by the response head) and the idle timeout (armed once for
 * when it ends if nothing moves; activity only moves a timestamp, and the timer re-arms for the
 * rest when it fires early).
 */
final class ExchangeTimers {
  /**
   * Told when a timeout ran out: its kind ({@code timeout}, {@code idle}) and the 504's sentence.
   */
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
                    "timeout",
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
                  "idle",
                  "no body bytes moved for "
                      + Durations.format(timeouts.idle())
                      + " (idle timeout of rule "
                      + rule
                      + ")");
            });
  }

  /** Something moved: the idle timeout counts from now. */
  void touch() {
    lastActivity = ticker.nanoTime();
  }

  /** Arms the idle timer for when the idle timeout ends if nothing moves from now on. */
  void armIdle() {
    idle.arm(loop, lastActivity + idleNanos - ticker.nanoTime());
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

  /** Nanoseconds since the exchange started. */
  long elapsed() {
    return ticker.nanoTime() - started;
  }

  void cancel() {
    request.cancel();
    idle.cancel();
  }
}
