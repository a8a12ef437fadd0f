package dev.sluice.sidecar.backends;

import dev.sluice.sidecar.config.Upstream;
import dev.sluice.sidecar.upstream.LeaseSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A rule's backends and the weighted choice among them: backend {@code i} is chosen with
 * probability {@code weight[i] / sum(weight)}, independently per request (a weight of 0 never);
 * when every weight is 0 the choice is a backend that answers 500 saying so. Thread-safe: the
 * random source is the calling thread's unless a test gives one.
 */
public final class Backends {
  private final List<Backend> backends;
  private final long[] cumulative;
  private final @Nullable Backend noneWeighted;
  private final boolean weighted;
  private final LongUnaryOperator random;

  private Backends(
      List<Backend> backends, long[] weights, boolean weighted, LongUnaryOperator random) {
    this.backends = List.copyOf(backends);
    this.weighted = weighted;
    this.random = random;
    this.cumulative = new long[weights.length];
    long sum = 0;
    for (int i = 0; i < weights.length; i++) {
      sum += weights[i];
      cumulative[i] = sum;
    }
    this.noneWeighted =
        sum > 0
            ? null
            : new Backend(
                "none",
                new Nowhere("every backend has weight 0"),
                Upstream.Protocol.HTTP1,
                "every backend of the rule has weight 0 (expected: at least one weight above 0)");
  }

  /** A rule's one upstream: always chosen. */
  public static Backends single(LeaseSource source, Upstream.Protocol protocol) {
    return new Backends(
        List.of(new Backend("upstream", source, protocol, null)),
        new long[] {1},
        false,
        Backends::threadRandom);
  }

  /**
   * The backends of {@code rule}, a rule that answers every request itself (one that redirects):
   * none. Its exchanges answer before they choose a lease, so the one {@link #choose()} returns
   * never leases (asking fails, naming the rule) and offers no upgrade, there being no upstream to
   * upgrade to.
   */
  public static Backends none(String rule) {
    return new Backends(
        List.of(
            new Backend(
                "none",
                new Nowhere("rule " + rule + " has no upstream (it redirects)"),
                // Upgrades offers a client's Upgrade only to an HTTP/1.1 upstream
                Upstream.Protocol.H2C,
                null)),
        new long[] {1},
        false,
        Backends::threadRandom);
  }

  /**
   * The backends of {@code config} (a rule's {@code backends}), each with the lease source {@code
   * pool} gives its upstream; {@code random}: a long in [0, bound) (tests pass a seeded one).
   */
  public static Backends weighted(
      List<dev.sluice.sidecar.config.Backend> config,
      Function<Upstream, LeaseSource> pool,
      @Nullable LongUnaryOperator random) {
    List<Backend> backends = new ArrayList<>();
    long[] weights = new long[config.size()];
    for (int i = 0; i < config.size(); i++) {
      dev.sluice.sidecar.config.Backend backend = config.get(i);
      weights[i] = backend.weight();
      Upstream upstream = backend.upstream();
      String label = Integer.toString(i);
      if (upstream == null) {
        String why = String.valueOf(backend.unavailable());
        backends.add(
            new Backend(
                label,
                new Nowhere(why),
                Upstream.Protocol.HTTP1,
                "backend " + i + " of the rule is unavailable: " + why));
      } else {
        backends.add(new Backend(label, pool.apply(upstream), upstream.protocol(), null));
      }
    }
    return new Backends(backends, weights, true, random == null ? Backends::threadRandom : random);
  }

  /** The backend for one request. */
  public Backend choose() {
    if (noneWeighted != null) {
      return noneWeighted;
    }
    if (cumulative.length == 1) {
      return backends.get(0);
    }
    long pick = random.applyAsLong(cumulative[cumulative.length - 1]);
    for (int i = 0; i < cumulative.length; i++) {
      if (pick < cumulative[i]) {
        return backends.get(i);
      }
    }
    throw new IllegalStateException("random value " + pick + " out of range");
  }

  /** True for a rule's {@code backends} (counted per backend), false for its one upstream. */
  public boolean weighted() {
    return weighted;
  }

  /** Every backend, in config order. */
  public List<Backend> all() {
    return backends;
  }

  private static long threadRandom(long bound) {
    return ThreadLocalRandom.current().nextLong(bound);
  }
}
