package dev.sluice.sidecar.endpoints;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Each eligible endpoint in turn, as often as its weight says, spread evenly (nginx's smooth
 * weighted round robin: weights 5, 1, 1 go a a b a c a a, not a a a a a b c). The order is computed
 * once per endpoint set; the position is one atomic shared by every event loop.
 */
final class RoundRobin implements Balancer {
  /** Longest schedule kept: larger weight sums are scaled down to it (ratios kept to within 1). */
  static final int MAX_SCHEDULE = 1 << 14;

  private final AtomicLong position = new AtomicLong();
  private volatile @Nullable Schedule schedule;

  /** The order computed for one set (compared by identity: a new set gets a new order). */
  private static final class Schedule {
    final EndpointSet set;
    final int[] order;

    Schedule(EndpointSet set, int[] order) {
      this.set = set;
      this.order = order;
    }
  }

  @Override
  public @Nullable UpstreamEndpoint pick(EndpointSet set, Collection<UpstreamEndpoint> avoid) {
    if (set.eligible().isEmpty()) {
      return null;
    }
    int[] order = order(set);
    int index = order[(int) Math.floorMod(position.getAndIncrement(), (long) order.length)];
    UpstreamEndpoint picked = set.eligible().get(index);
    if (avoid.isEmpty() || !avoid.contains(picked)) {
      return picked;
    }
    UpstreamEndpoint other = Balancer.firstNotIn(set, index + 1, avoid);
    return other != null ? other : picked;
  }

  private int[] order(EndpointSet set) {
    Schedule known = schedule;
    if (known != null && known.set == set) {
      return known.order;
    }
    int[] order = smooth(set);
    schedule = new Schedule(set, order); // racing loops compute the same order: either wins
    return order;
  }

  /** The smooth weighted order of {@code set}'s eligible endpoints, one full cycle long. */
  static int[] smooth(EndpointSet set) {
    int n = set.eligible().size();
    long[] weights = new long[n];
    long total = 0;
    long divisor = 0;
    for (int i = 0; i < n; i++) {
      weights[i] = set.weight(i);
      divisor = gcd(divisor, weights[i]);
    }
    for (int i = 0; i < n; i++) {
      weights[i] /= divisor;
      total += weights[i];
    }
    if (total > MAX_SCHEDULE) {
      long scaled = 0;
      for (int i = 0; i < n; i++) {
        weights[i] = Math.max(1, weights[i] * MAX_SCHEDULE / total);
        scaled += weights[i];
      }
      total = scaled;
    }
    int[] order = new int[(int) total];
    long[] current = new long[n];
    for (int step = 0; step < order.length; step++) {
      int best = 0;
      for (int i = 0; i < n; i++) {
        current[i] += weights[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      order[step] = best;
    }
    return order;
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
