package dev.sluice.sidecar.backends;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.Backend;
import dev.sluice.sidecar.config.Upstream;
import dev.sluice.sidecar.upstream.EndpointTries;
import dev.sluice.sidecar.upstream.LeaseSource;
import dev.sluice.sidecar.upstream.RetryBudget;
import io.netty.channel.DefaultEventLoop;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The weighted choice: shares by weight from a seeded source, weight 0 never, all 0 a 500. */
class BackendsTest {
  private static final LeaseSource SOURCE =
      new LeaseSource() {
        private final RetryBudget budget = new RetryBudget();

        @Override
        public io.netty.util.concurrent.Future<dev.sluice.sidecar.upstream.UpstreamLease> acquire(
            io.netty.channel.EventLoop loop, dev.sluice.sidecar.upstream.EndpointTries tries) {
          throw new UnsupportedOperationException("not leased in this test");
        }

        @Override
        public RetryBudget retryBudget() {
          return budget;
        }
      };

  private static Backend backend(int weight, int port) {
    return new Backend(
        weight, Upstream.of(Upstream.Protocol.HTTP1, List.of("127.0.0.1:" + port)), null);
  }

  private static Map<String, Integer> choices(Backends backends, int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(backends.choose().label(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void sharesFollowTheWeightsWithinFiveSigma() {
    SplittableRandom random = new SplittableRandom(26);
    Backends backends =
        Backends.weighted(
            List.of(backend(70, 1), backend(0, 2), backend(20, 3), backend(10, 4)),
            u -> SOURCE,
            random::nextLong);
    int n = 100_000;
    Map<String, Integer> counts = choices(backends, n);
    assertThat(counts).doesNotContainKey("1");
    // Binomial: sigma = sqrt(n p (1-p)); each share within 5 sigma of n p.
    for (var expected : Map.of("0", 0.7, "2", 0.2, "3", 0.1).entrySet()) {
      double p = expected.getValue();
      double sigma = Math.sqrt(n * p * (1 - p));
      assertThat((double) counts.get(expected.getKey()))
          .as("backend %s", expected.getKey())
          .isBetween(n * p - 5 * sigma, n * p + 5 * sigma);
    }
  }

  @Test
  void theSameSeedMakesTheSameChoices() {
    List<Backend> config = List.of(backend(1, 1), backend(1, 2));
    Backends first = Backends.weighted(config, u -> SOURCE, new SplittableRandom(7)::nextLong);
    Backends second = Backends.weighted(config, u -> SOURCE, new SplittableRandom(7)::nextLong);
    for (int i = 0; i < 100; i++) {
      assertThat(first.choose().label()).isEqualTo(second.choose().label());
    }
  }

  @Test
  void everyWeightZeroChoosesAnAnswerSayingSo() {
    Backends backends = Backends.weighted(List.of(backend(0, 1), backend(0, 2)), u -> SOURCE, null);
    assertThat(backends.choose().unavailable())
        .isEqualTo(
            "every backend of the rule has weight 0 (expected: at least one weight above 0)");
  }

  @Test
  void anUnavailableBackendIsChosenByItsWeightAndSaysWhy() {
    Backends backends =
        Backends.weighted(
            List.of(new Backend(1, null, "Service shop/gone not found"), backend(0, 2)),
            u -> SOURCE,
            null);
    assertThat(backends.choose().unavailable())
        .isEqualTo("backend 0 of the rule is unavailable: Service shop/gone not found");
    assertThat(backends.weighted()).isTrue();
    assertThat(Backends.single(SOURCE, Upstream.Protocol.H2C).choose().label())
        .isEqualTo("upstream");
  }

  /** A redirecting rule's backends: one that never leases, offers no upgrade, is not counted. */
  @Test
  void aRuleThatRedirectsHasNoBackendToLeaseFromOrUpgradeTo() throws Exception {
    Backends none = Backends.none("shop.moved");
    dev.sluice.sidecar.backends.Backend chosen = none.choose();
    assertThat(chosen.label()).isEqualTo("none");
    assertThat(chosen.unavailable()).as("answered by the rule, not with a 500").isNull();
    assertThat(chosen.protocol()).isNotEqualTo(Upstream.Protocol.HTTP1);
    assertThat(none.weighted()).isFalse();
    DefaultEventLoop loop = new DefaultEventLoop();
    try {
      var lease = chosen.source().acquire(loop, new EndpointTries(Duration.ofSeconds(1)));
      assertThat(lease.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(lease.cause())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("no upstream: rule shop.moved has no upstream (it redirects)");
    } finally {
      loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }
  }
}
