package dev.sluice.sidecar.endpoints;

import dev.sluice.sidecar.config.LoadBalancer;
import java.util.Collection;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntUnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Chooses the endpoint of an upstream a request goes to. One balancer per upstream pool, shared by
 * every event loop: its state (a round-robin position) is an atomic, and the loads it compares are
 * the endpoints' sidecar-wide in-flight counts.
 */
public interface Balancer {
  /**
   * An eligible endpoint of {@code set}, one not in {@code avoid} (the endpoints a request already
   * tried) when there is one; null when {@code set} has none eligible.
   */
  @Nullable UpstreamEndpoint pick(EndpointSet set, Collection<UpstreamEndpoint> avoid);

  /** The balancer {@code kind} names, with a thread-local random source. */
  static Balancer of(LoadBalancer kind) {
    return of(kind, bound -> ThreadLocalRandom.current().nextInt(bound));
  }

  /** {@code random}: an int in [0, bound) (tests inject a seeded source). */
  static Balancer of(LoadBalancer kind, IntUnaryOperator random) {
    return kind == LoadBalancer.ROUND_ROBIN ? new RoundRobin() : new LeastRequest(random);
  }

  /** The first eligible endpoint of {@code set} from index {@code from} on not in {@code avoid}. */
  static @Nullable UpstreamEndpoint firstNotIn(
      EndpointSet set, int from, Collection<UpstreamEndpoint> avoid) {
    int n = set.eligible().size();
    for (int i = 0; i < n; i++) {
      UpstreamEndpoint candidate = set.eligible().get((from + i) % n);
      if (!avoid.contains(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
