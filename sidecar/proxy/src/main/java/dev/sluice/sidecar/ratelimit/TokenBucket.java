package dev.sluice.sidecar.ratelimit;

/**
 * A token bucket: {@code burst} tokens at most, refilled continuously at {@code requests} per
 * period. Not thread-safe: its owner synchronizes.
 */
final class TokenBucket {
  private double tokens;
  private long refilledAt;

  TokenBucket(double burst, long now) {
    this.tokens = burst;
    this.refilledAt = now;
  }

  /**
   * Takes one token at {@code now}: 0 when there was one, else the nanoseconds until one will be
   * (at least 1).
   */
  long take(long now, double burst, double tokensPerNano) {
    long elapsed = now - refilledAt;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * tokensPerNano);
      refilledAt = now;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - tokens) / tokensPerNano));
  }
}
