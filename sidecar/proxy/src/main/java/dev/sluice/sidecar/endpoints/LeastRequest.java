package dev.sluice.sidecar.endpoints;

import java.util.Collection;
import java.util.function.IntUnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Power of two choices over requests in flight: two different eligible endpoints drawn at random
 * (each as likely as its weight), and the one with fewer requests in flight takes the request. The
 * counts are sidecar-wide ({@link UpstreamEndpoint#inFlight}), so a slow or stuck endpoint is
 * avoided by every event loop at once; the draw keeps the choice from herding onto one endpoint the
 * way always taking the least loaded does.
 */
final class LeastRequest implements Balancer {
  private final IntUnaryOperator random;

  LeastRequest(IntUnaryOperator random) {
    this.random = random;
  }

  @Override
  public @Nullable UpstreamEndpoint pick(EndpointSet set, Collection<UpstreamEndpoint> avoid) {
    int n = set.eligible().size();
    if (n == 0) {
      return null;
    }
    if (n == 1) {
      return set.eligible().get(0);
    }
    int total = 0;
    for (int i = 0; i < n; i++) {
      total += set.weight(i);
    }
    int a = draw(set, random.applyAsInt(total), -1);
    int b = draw(set, random.applyAsInt(total - set.weight(a)), a);
    UpstreamEndpoint first = set.eligible().get(a);
    UpstreamEndpoint second = set.eligible().get(b);
    boolean avoidFirst = avoid.contains(first);
    boolean avoidSecond = avoid.contains(second);
    if (avoidFirst && avoidSecond) {
      UpstreamEndpoint other = Balancer.firstNotIn(set, b + 1, avoid);
      return other != null ? other : first;
    }
    if (avoidFirst || avoidSecond) {
      return avoidFirst ? second : first;
    }
    // Weights already decided who was drawn; fewer in flight wins, a tie goes to the first drawn
    // (so without load each endpoint gets its weight's share).
    return second.inFlight() < first.inFlight() ? second : first;
  }

  /**
   * The eligible index that {@code r} lands on when each endpoint but {@code skip} covers as many
   * values as its weight ({@code r} below the sum of those weights).
   */
  private static int draw(EndpointSet set, int r, int skip) {
    int n = set.eligible().size();
    for (int i = 0; i < n; i++) {
      if (i == skip) {
        continue;
      }
      r -= set.weight(i);
      if (r < 0) {
        return i;
      }
    }
    return skip == n - 1 ? n - 2 : n - 1; // unreachable for r in range
  }
}
