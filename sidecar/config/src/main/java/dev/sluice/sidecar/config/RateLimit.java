package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A rule's local rate limit: a token bucket holding {@code burst} tokens, refilled at {@code
 * requests} per {@code unit}; a request takes one token, and one that finds none is answered {@code
 * 429} with {@code Retry-After}.
 *
 * @param requests tokens added per {@code unit}, 1..1,000,000,000
 * @param unit the period {@code requests} refill over (default Second)
 * @param burst the bucket's size: how many requests may come at once after a quiet time (default
 *     {@code requests}; 1..1,000,000,000)
 * @param key one bucket for the rule (shared by every client and event loop), or one per client
 *     address (default Rule)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RateLimit(@Nullable Long requests, Unit unit, @Nullable Long burst, Key key) {
  public static final long MAX_REQUESTS = 1_000_000_000L;

  public RateLimit {
    unit = unit == null ? Unit.Second : unit;
    burst = burst == null ? requests : burst;
    key = key == null ? Key.Rule : key;
  }

  /** The period tokens refill over. */
  public enum Unit {
    Second(Duration.ofSeconds(1)),
    Minute(Duration.ofMinutes(1)),
    Hour(Duration.ofHours(1));

    private final Duration period;

    Unit(Duration period) {
      this.period = period;
    }

    public Duration period() {
      return period;
    }
  }

  /** Who shares a bucket. */
  public enum Key {
    /** Every request of the rule. */
    Rule,
    /** The requests from one client IP address. */
    ClientAddress
  }
}
