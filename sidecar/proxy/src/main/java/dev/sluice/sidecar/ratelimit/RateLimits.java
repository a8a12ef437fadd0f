package dev.sluice.sidecar.ratelimit;

import dev.sluice.sidecar.config.RateLimit;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The sidecar's rate limiters by rule name, across generations: a reload that leaves a rule's
 * {@code rateLimit} as it was keeps its buckets (a client that spent its burst does not get a new
 * one because another rule changed); a changed limit starts with full buckets. Thread-safe (the
 * reload thread builds, requests only read what a generation holds).
 */
public final class RateLimits {
  private final Map<String, RateLimiter> byRule = new HashMap<>();

  /** The limiter of rule {@code rule} limited by {@code config}: the running one when unchanged. */
  public synchronized RateLimiter forRule(String rule, RateLimit config) {
    RateLimiter running = byRule.get(rule);
    if (running != null && running.config().equals(config)) {
      return running;
    }
    RateLimiter fresh = RateLimiter.of(config);
    byRule.put(rule, fresh);
    return fresh;
  }

  /** Forgets the limiters of rules not in {@code rules} (a generation without them was built). */
  public synchronized void retain(Set<String> rules) {
    byRule.keySet().retainAll(rules);
  }
}
