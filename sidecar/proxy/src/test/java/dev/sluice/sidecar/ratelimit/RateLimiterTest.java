package dev.sluice.sidecar.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.RateLimit;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Token buckets on a hand-moved clock: burst, refill, the wait, per-client keys and their bound.
 */
class RateLimiterTest {
  private final AtomicLong now = new AtomicLong(1_000);

  private RateLimiter limiter(long requests, RateLimit.Unit unit, long burst, RateLimit.Key key) {
    return new RateLimiter(new RateLimit(requests, unit, burst, key), now::get, 3);
  }

  @Test
  void burstThenOneTokenPerPeriodShare() {
    RateLimiter limiter = limiter(2, RateLimit.Unit.Second, 3, RateLimit.Key.Rule);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.admit("10.0.0.1")).isZero();
    }
    long wait = limiter.admit("10.0.0.2");
    assertThat(wait).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
    assertThat(RateLimiter.retryAfterSeconds(wait)).isEqualTo(1);
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(499));
    assertThat(limiter.admit(null)).isPositive();
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
    assertThat(limiter.admit(null)).isZero();
    now.addAndGet(TimeUnit.HOURS.toNanos(1));
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.admit(null)).as("refilled to the burst, no more").isZero();
    }
    assertThat(limiter.admit(null)).isPositive();
  }

  @Test
  void retryAfterIsWholeSecondsRoundedUp() {
    RateLimiter limiter = limiter(1, RateLimit.Unit.Hour, 1, RateLimit.Key.Rule);
    assertThat(limiter.admit(null)).isZero();
    assertThat(RateLimiter.retryAfterSeconds(limiter.admit(null))).isEqualTo(3600);
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_500));
    assertThat(RateLimiter.retryAfterSeconds(limiter.admit(null))).isEqualTo(3599);
  }

  @Test
  void clientsHaveTheirOwnBucketsAndTheLeastRecentlySeenIsForgotten() {
    RateLimiter limiter = limiter(1, RateLimit.Unit.Hour, 1, RateLimit.Key.ClientAddress);
    assertThat(limiter.admit("10.0.0.1")).isZero();
    assertThat(limiter.admit("10.0.0.1")).isPositive();
    assertThat(limiter.admit("10.0.0.2")).isZero();
    assertThat(limiter.admit("10.0.0.3")).isZero();
    assertThat(limiter.admit("10.0.0.1")).as("seen again: most recent").isPositive();
    assertThat(limiter.admit("10.0.0.4")).isZero(); // evicts 10.0.0.2, the least recently seen
    assertThat(limiter.clients()).isEqualTo(3);
    assertThat(limiter.admit("10.0.0.1")).as("kept").isPositive();
    assertThat(limiter.admit("10.0.0.2")).as("forgotten: a full bucket again").isZero();
  }

  @Test
  void anUnchangedLimitKeepsItsBucketsAcrossGenerations() {
    RateLimits limits = new RateLimits();
    RateLimit config = new RateLimit(5L, RateLimit.Unit.Minute, null, null);
    RateLimiter first = limits.forRule("r", config);
    assertThat(
            limits.forRule("r", new RateLimit(5L, RateLimit.Unit.Minute, 5L, RateLimit.Key.Rule)))
        .isSameAs(first);
    assertThat(limits.forRule("r", new RateLimit(6L, RateLimit.Unit.Minute, null, null)))
        .isNotSameAs(first);
    RateLimiter other = limits.forRule("s", config);
    limits.retain(java.util.Set.of("r"));
    assertThat(limits.forRule("s", config)).as("forgotten when its rule went").isNotSameAs(other);
  }
}
