package dev.sluice.sidecar.endpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.sidecar.config.Endpoint;
import dev.sluice.sidecar.config.LoadBalancer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The balancers' choices over many picks, with a seeded random source: round robin is exact and
 * smooth, least-request follows weights within 3 % over 100,000 picks and steers away from a loaded
 * endpoint; both avoid what a request already tried.
 */
class BalancerTest {
  private static final int PICKS = 100_000;
  private final SplittableRandom seeded = new SplittableRandom(21);
  private final IntUnaryOperator random = seeded::nextInt;

  private static EndpointSet set(Endpoint... endpoints) {
    return EndpointSet.of("ns/svc:80", List.of(endpoints), null);
  }

  private static Endpoint weighted(String address, int weight) {
    return new Endpoint(address, true, true, false, weight, null);
  }

  private static Map<String, Integer> counts(Balancer balancer, EndpointSet set, int picks) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < picks; i++) {
      counts.merge(balancer.pick(set, Set.of()).address(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void roundRobinGivesEachEndpointItsTurnExactly() {
    EndpointSet set = set(Endpoint.ready("a:1"), Endpoint.ready("b:1"), Endpoint.ready("c:1"));
    Map<String, Integer> counts = counts(Balancer.of(LoadBalancer.ROUND_ROBIN), set, 3_000);
    assertThat(counts)
        .containsEntry("a:1", 1000)
        .containsEntry("b:1", 1000)
        .containsEntry("c:1", 1000);
  }

  @Test
  void roundRobinHonoursWeightsSmoothly() {
    EndpointSet set = set(weighted("a:1", 5), weighted("b:1", 1), weighted("c:1", 1));
    Balancer balancer = Balancer.of(LoadBalancer.ROUND_ROBIN);
    StringBuilder cycle = new StringBuilder();
    for (int i = 0; i < 7; i++) {
      cycle.append(balancer.pick(set, Set.of()).address().charAt(0));
    }
    assertThat(cycle.toString()).isEqualTo("aabacaa");
    assertThat(counts(balancer, set, 7_000))
        .containsEntry("a:1", 5000)
        .containsEntry("b:1", 1000)
        .containsEntry("c:1", 1000);
  }

  @Test
  void roundRobinScalesHugeWeightSumsDownKeepingRatios() {
    EndpointSet set = set(weighted("a:1", 997), weighted("b:1", 1000));
    for (int i = 0; i < 40; i++) {
      set = EndpointSet.of("big", appendAll(set, i), set);
    }
    int[] order = RoundRobin.smooth(set);
    assertThat(order.length).isLessThanOrEqualTo(RoundRobin.MAX_SCHEDULE + set.eligible().size());
  }

  private static List<Endpoint> appendAll(EndpointSet set, int i) {
    var list = new java.util.ArrayList<Endpoint>();
    set.members().forEach(m -> list.add(m.endpoint()));
    list.add(weighted("n" + i + ":1", 999 - i));
    return list;
  }

  @Test
  void leastRequestSpreadsByWeightWithinThreePercent() {
    EndpointSet set = set(weighted("a:1", 3), weighted("b:1", 1), weighted("c:1", 1));
    Map<String, Integer> counts =
        counts(Balancer.of(LoadBalancer.LEAST_REQUEST, random), set, PICKS);
    // Nothing is in flight, so the two candidates tie and the first drawn wins: the first draw is
    // by weight, so each endpoint gets its weight's share.
    assertThat(counts.get("a:1") / (double) PICKS).isCloseTo(0.6, within(0.03));
    assertThat(counts.get("b:1") / (double) PICKS).isCloseTo(0.2, within(0.03));
    assertThat(counts.get("c:1") / (double) PICKS).isCloseTo(0.2, within(0.03));
  }

  @Test
  void leastRequestAvoidsTheLoadedEndpoint() {
    EndpointSet set = set(Endpoint.ready("a:1"), Endpoint.ready("b:1"), Endpoint.ready("c:1"));
    UpstreamEndpoint loaded = set.eligible().get(0);
    for (int i = 0; i < 50; i++) {
      loaded.started();
    }
    Map<String, Integer> counts =
        counts(Balancer.of(LoadBalancer.LEAST_REQUEST, random), set, PICKS);
    // The loaded one wins only when both candidates are it, which two different draws never are.
    assertThat(counts).doesNotContainKey("a:1");
    assertThat(counts.get("b:1") / (double) PICKS).isCloseTo(0.5, within(0.03));
  }

  @Test
  void leastRequestFollowsLoadAsRequestsComeAndGo() {
    EndpointSet set = set(Endpoint.ready("a:1"), Endpoint.ready("b:1"));
    Balancer balancer = Balancer.of(LoadBalancer.LEAST_REQUEST, random);
    for (int i = 0; i < 1_000; i++) {
      balancer.pick(set, Set.of()).started(); // nothing ends: the counts stay level
    }
    int a = set.eligible().get(0).inFlight();
    int b = set.eligible().get(1).inFlight();
    assertThat(Math.abs(a - b)).isLessThanOrEqualTo(1);
  }

  @Test
  void bothAvoidWhatWasTriedWhileSomethingElseIsLeft() {
    EndpointSet set = set(Endpoint.ready("a:1"), Endpoint.ready("b:1"), Endpoint.ready("c:1"));
    UpstreamEndpoint a = set.eligible().get(0);
    UpstreamEndpoint b = set.eligible().get(1);
    for (LoadBalancer kind : LoadBalancer.values()) {
      Balancer balancer = Balancer.of(kind, random);
      for (int i = 0; i < 1_000; i++) {
        assertThat(balancer.pick(set, List.of(a, b)).address()).as(kind.name()).isEqualTo("c:1");
        assertThat(balancer.pick(set, List.of(a)).address()).as(kind.name()).isNotEqualTo("a:1");
      }
      assertThat(balancer.pick(set, set.eligible())).as("all tried: one anyway").isNotNull();
    }
  }

  @Test
  void noEligibleEndpointIsNoPick() {
    EndpointSet none = set(new Endpoint("a:1", false, false, false, 1, null));
    for (LoadBalancer kind : LoadBalancer.values()) {
      assertThat(Balancer.of(kind, random).pick(none, Set.of())).isNull();
    }
  }
}
