package dev.sluice.sidecar.ratelimit;

import dev.sluice.sidecar.config.RateLimit;
import dev.sluice.sidecar.timer.Ticker;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A rule's local rate limit: one {@link TokenBucket} for the rule, or one per client address in a
 * table of at most {@link #MAX_CLIENTS} addresses (the least recently seen evicted first; an
 * evicted client starts again with a full bucket). Thread-safe: every event loop shares it.
 */
public final class RateLimiter {
  /** Client addresses a per-client limit tracks at once: about 10 MiB of heap when full. */
  public static final int MAX_CLIENTS = 65_536;

  private final RateLimit config;
  private final Ticker ticker;
  private final int maxClients;
  private final double burst;
  private final double tokensPerNano;
  private final TokenBucket rule;
  private final Map<String, TokenBucket> clients;

  RateLimiter(RateLimit config, Ticker ticker, int maxClients) {
    this.config = config;
    this.ticker = ticker;
    this.maxClients = maxClients;
    this.burst = requireValue(config.burst());
    this.tokensPerNano =
        requireValue(config.requests()) / (double) config.unit().period().toNanos();
    this.rule = new TokenBucket(burst, ticker.nanoTime());
    this.clients =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
            return size() > RateLimiter.this.maxClients;
          }
        };
  }

  /** A limiter of {@code config} on the system clock. */
  public static RateLimiter of(RateLimit config) {
    return new RateLimiter(config, Ticker.SYSTEM, MAX_CLIENTS);
  }

  /**
   * Takes a token for a request from {@code client} (its IP address; null when not IP, all such
   * clients sharing one bucket): 0 when admitted, else the nanoseconds until a token will be there.
   */
  public long admit(@Nullable String client) {
    if (config.key() == RateLimit.Key.Rule) {
      synchronized (rule) {
        return rule.take(ticker.nanoTime(), burst, tokensPerNano);
      }
    }
    String key = client == null ? "-" : client;
    synchronized (clients) {
      long now = ticker.nanoTime();
      TokenBucket bucket = clients.get(key);
      if (bucket == null) {
        bucket = new TokenBucket(burst, now);
        clients.put(key, bucket);
      }
      return bucket.take(now, burst, tokensPerNano);
    }
  }

  /** Client addresses tracked now (0 for a per-rule limit). */
  public int clients() {
    synchronized (clients) {
      return clients.size();
    }
  }

  public RateLimit config() {
    return config;
  }

  /** {@code Retry-After} for a wait of {@code nanos}: whole seconds, rounded up, at least 1. */
  public static long retryAfterSeconds(long nanos) {
    return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
  }

  private static long requireValue(@Nullable Long value) {
    if (value == null) {
      throw new IllegalArgumentException("rateLimit: requests and burst (expected: validated)");
    }
    return value;
  }
}
