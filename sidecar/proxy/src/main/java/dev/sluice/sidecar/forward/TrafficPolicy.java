package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.accesslog.Actor;
import dev.sluice.sidecar.accesslog.Cause;
import dev.sluice.sidecar.accesslog.Stage;
import dev.sluice.sidecar.accesslog.Termination;
import dev.sluice.sidecar.backends.Backend;
import dev.sluice.sidecar.config.RateLimit;
import dev.sluice.sidecar.ratelimit.RateLimiter;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What a rule's traffic policy answers before an exchange does any other work: a request over the
 * rate limit gets {@code 429} with {@code Retry-After}; one the weighted choice sent to an
 * unavailable backend (or a rule whose weights are all 0) gets {@code 500} naming why.
 */
final class TrafficPolicy {
  /** The answer for {@code exchange} before anything else happens; null when it goes on. */
  static @Nullable Ending refusal(Exchange exchange) {
    String rule = exchange.rule.name();
    RateLimiter limiter = exchange.rule.rateLimit();
    if (limiter != null) {
      long wait = limiter.admit(exchange.downstream.clientAddress());
      if (wait > 0) {
        exchange.metrics.rateLimited(rule);
        return Ending.rateLimited(
            RateLimiter.retryAfterSeconds(wait),
            sentence(rule, limiter.config()),
            Termination.of(Actor.PROXY, Stage.REQUEST, Cause.LIMIT, "rateLimit"));
      }
    }
    Backend backend = exchange.backend;
    String unavailable = backend.unavailable();
    if (unavailable != null) {
      exchange.metrics.upstreamError(rule, "backend_unavailable");
      return Ending.answered(
          HttpResponseStatus.INTERNAL_SERVER_ERROR,
          "rule " + rule + ": " + unavailable,
          Termination.of(Actor.PROXY, Stage.CONNECT, Cause.NO_ENDPOINT, "backend unavailable"));
    }
    if (exchange.rule.backends().weighted()) {
      exchange.metrics.backendChosen(rule, backend.label());
    }
    return null;
  }

  private static String sentence(String rule, RateLimit limit) {
    return "rule "
        + rule
        + " allows "
        + limit.requests()
        + " requests per "
        + limit.unit().name().toLowerCase(Locale.ROOT)
        + (limit.key() == RateLimit.Key.ClientAddress ? " per client address" : "")
        + " (burst "
        + limit.burst()
        + ")";
  }

  private TrafficPolicy() {}
}
