package dev.sluice.sidecar.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.Endpoint;
import dev.sluice.sidecar.config.LoadBalancer;
import dev.sluice.sidecar.config.OutlierDetection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Outlier detection on an injected clock: an endpoint is ejected after {@code consecutiveFailures}
 * failures in a row (a success starts the count over), for base × n up to the maximum, never more
 * than the cap and never the last serving endpoint; it returns when its time is up, its ejection
 * survives endpoint updates that keep its address, and a removed endpoint's state is forgotten.
 */
class OutlierDetectorTest {
  private final AtomicLong clock = new AtomicLong(1_000); // any origin: nanoTime is relative
  private final List<String> events = new ArrayList<>();
  private EndpointSet current;
  private OutlierDetector detector;

  private void start(OutlierDetection config, String... addresses) {
    update(addresses);
    detector = new OutlierDetector(config, "shop/web:80", () -> current, recorder(), clock::get);
  }

  private void start(String... addresses) {
    start(OutlierDetection.DEFAULT, addresses);
  }

  private void update(String... addresses) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (String address : addresses) {
      endpoints.add(Endpoint.ready(address));
    }
    current = EndpointSet.of("shop/web:80", endpoints, current);
  }

  private OutlierDetector.Events recorder() {
    return new OutlierDetector.Events() {
      @Override
      public void ejected(String upstream) {
        events.add("ejected " + upstream);
      }

      @Override
      public void ejectionOverCap(String upstream) {
        events.add("over_cap " + upstream);
      }

      @Override
      public void returned(String upstream) {
        events.add("returned " + upstream);
      }
    };
  }

  private UpstreamEndpoint endpoint(String address) {
    return current.members().stream()
        .map(EndpointSet.Member::target)
        .filter(e -> e.address().equals(address))
        .findFirst()
        .orElseThrow();
  }

  private void fail(String address, int times) {
    for (int i = 0; i < times; i++) {
      detector.failed(endpoint(address));
    }
  }

  private List<String> pickable() {
    return detector.pickable(current).eligible().stream().map(UpstreamEndpoint::address).toList();
  }

  private void advance(Duration by) {
    clock.addAndGet(by.toNanos());
  }

  @Test
  void theFifthFailureInARowEjects() {
    start("a:1", "b:1", "c:1");
    fail("a:1", 4);
    assertThat(pickable()).containsExactly("a:1", "b:1", "c:1");
    fail("a:1", 1);
    assertThat(pickable()).containsExactly("b:1", "c:1");
    assertThat(detector.ejectionLeft(endpoint("a:1"))).isEqualTo(Duration.ofSeconds(30));
    assertThat(events).containsExactly("ejected shop/web:80");
  }

  @Test
  void aSuccessStartsTheCountOver() {
    start("a:1", "b:1", "c:1");
    fail("a:1", 4);
    detector.succeeded(endpoint("a:1"));
    fail("a:1", 4);
    assertThat(pickable()).contains("a:1");
    assertThat(endpoint("a:1").consecutiveFailures()).isEqualTo(4);
  }

  @Test
  void gatewayErrorsFailAndOtherStatusesSucceed() {
    start("a:1", "b:1", "c:1");
    UpstreamEndpoint a = endpoint("a:1");
    detector.responded(a, 502);
    detector.responded(a, 503);
    detector.responded(a, 504);
    detector.responded(a, 500); // the endpoint answered: an application error, not an outlier
    assertThat(a.consecutiveFailures()).isZero();
    for (int i = 0; i < 5; i++) {
      detector.responded(a, 503);
    }
    assertThat(pickable()).doesNotContain("a:1");
  }

  @Test
  void anEjectionEndsWhenItsTimeIsUp() {
    start("a:1", "b:1", "c:1");
    fail("a:1", 5);
    advance(Duration.ofSeconds(30).minusNanos(1));
    assertThat(pickable()).doesNotContain("a:1");
    advance(Duration.ofNanos(1));
    assertThat(pickable()).containsExactly("a:1", "b:1", "c:1");
    assertThat(detector.ejectionLeft(endpoint("a:1"))).isNull();
    assertThat(events).containsExactly("ejected shop/web:80", "returned shop/web:80");
    fail("a:1", 4);
    assertThat(pickable()).as("back with a count of zero").contains("a:1");
  }

  @Test
  void eachEjectionInARowLastsLongerUpToTheMaximum() {
    start(
        new OutlierDetection(5, Duration.ofSeconds(30), Duration.ofSeconds(100), 10), "a:1", "b:1");
    List<Duration> times = new ArrayList<>();
    for (int n = 0; n < 5; n++) {
      fail("a:1", 5);
      Duration left = detector.ejectionLeft(endpoint("a:1"));
      times.add(left);
      advance(left);
      assertThat(pickable()).contains("a:1");
    }
    assertThat(times)
        .containsExactly(
            Duration.ofSeconds(30),
            Duration.ofSeconds(60),
            Duration.ofSeconds(90),
            Duration.ofSeconds(100),
            Duration.ofSeconds(100));
  }

  @Test
  void timeBackInServiceForgivesEarlierEjections() {
    start("a:1", "b:1");
    fail("a:1", 5);
    advance(Duration.ofSeconds(30));
    assertThat(pickable()).contains("a:1");
    fail("a:1", 5);
    advance(Duration.ofSeconds(60));
    assertThat(pickable()).contains("a:1"); // two ejections so far
    advance(Duration.ofSeconds(30)); // one base time in service: one forgiven
    fail("a:1", 5);
    assertThat(detector.ejectionLeft(endpoint("a:1"))).isEqualTo(Duration.ofSeconds(60));
    advance(Duration.ofSeconds(60));
    assertThat(pickable()).contains("a:1");
    advance(Duration.ofMinutes(10)); // long healthy: all forgiven
    fail("a:1", 5);
    assertThat(detector.ejectionLeft(endpoint("a:1"))).isEqualTo(Duration.ofSeconds(30));
  }

  @ParameterizedTest(name = "{0} serving at {1}%: {2}")
  @CsvSource({
    "0, 10, 0",
    "1, 100, 0",
    "2, 10, 1",
    "2, 100, 1",
    "3, 10, 1",
    "3, 100, 2",
    "10, 10, 1",
    "10, 50, 5",
    "20, 10, 2",
    "29, 10, 2",
    "100, 100, 99"
  })
  void theCapIsTheShareRoundedDownAtLeastOneNeverTheLast(int serving, int percent, int max) {
    start(new OutlierDetection(5, null, null, percent), "a:1");
    assertThat(detector.maxEjected(serving)).isEqualTo(max);
  }

  @Test
  void pastTheCapNothingMoreIsEjectedUntilThereIsRoom() {
    String[] ten = IntStream.range(0, 10).mapToObj(i -> "e" + i + ":1").toArray(String[]::new);
    start(ten);
    fail("e0:1", 5);
    fail("e1:1", 5);
    assertThat(pickable()).doesNotContain("e0:1").contains("e1:1");
    assertThat(events).containsExactly("ejected shop/web:80", "over_cap shop/web:80");
    advance(Duration.ofSeconds(30));
    assertThat(pickable()).contains("e0:1", "e1:1");
    fail("e1:1", 1); // still past the threshold: ejected as soon as there is room
    assertThat(pickable()).contains("e0:1").doesNotContain("e1:1");
  }

  @Test
  void theLastServingEndpointIsNeverEjected() {
    start(new OutlierDetection(5, null, null, 100), "a:1", "b:1");
    fail("a:1", 5);
    fail("b:1", 50);
    assertThat(pickable()).containsExactly("b:1");
    start(new OutlierDetection(5, null, null, 100), "only:1");
    fail("only:1", 50);
    assertThat(pickable()).containsExactly("only:1");
  }

  @Test
  void whenEveryServingEndpointIsEjectedAllOfThemServe() {
    start(new OutlierDetection(5, null, null, 100), "a:1", "b:1", "c:1");
    fail("a:1", 5);
    fail("b:1", 5);
    assertThat(pickable()).containsExactly("c:1");
    update("a:1", "b:1"); // the endpoint left serving went away
    assertThat(pickable()).containsExactly("a:1", "b:1");
    assertThat(detector.ejected()).hasSize(2);
  }

  @Test
  void anEjectionSurvivesAnUpdateThatKeepsTheAddress() {
    start("a:1", "b:1", "c:1");
    fail("a:1", 5);
    UpstreamEndpoint a = endpoint("a:1");
    update("c:1", "a:1", "d:1", "b:1");
    assertThat(endpoint("a:1")).isSameAs(a);
    assertThat(pickable()).containsExactly("c:1", "d:1", "b:1");
    advance(Duration.ofSeconds(30));
    assertThat(pickable()).containsExactly("c:1", "a:1", "d:1", "b:1");
  }

  @Test
  void aRemovedEndpointIsForgotten() {
    start("a:1", "b:1", "c:1");
    fail("a:1", 5);
    fail("b:1", 3);
    update("b:1", "c:1");
    assertThat(detector.ejected()).isEmpty();
    update("a:1", "b:1", "c:1");
    assertThat(pickable()).containsExactly("a:1", "b:1", "c:1");
    assertThat(endpoint("a:1").consecutiveFailures()).isZero();
    assertThat(endpoint("b:1").consecutiveFailures()).as("b stayed: its count too").isEqualTo(3);
  }

  @Test
  void anEndpointNoLongerServingIsNotEjected() {
    start("a:1", "b:1", "c:1");
    UpstreamEndpoint a = endpoint("a:1");
    update("b:1", "c:1");
    for (int i = 0; i < 5; i++) {
      detector.failed(a); // a request in flight on it when it was removed
    }
    assertThat(events).isEmpty();
  }

  @Test
  void zeroFailuresTurnsDetectionOff() {
    start(new OutlierDetection(0, null, null, null), "a:1", "b:1");
    fail("a:1", 100);
    assertThat(pickable()).containsExactly("a:1", "b:1");
    assertThat(events).isEmpty();
  }

  @Test
  void theBalancersNeverPickAnEjectedEndpoint() {
    start("a:1", "b:1", "c:1");
    fail("b:1", 5);
    for (LoadBalancer kind : LoadBalancer.values()) {
      Balancer balancer = Balancer.of(kind);
      Set<String> picked = new HashSet<>();
      for (int i = 0; i < 100; i++) {
        picked.add(balancer.pick(detector.pickable(current), List.of()).address());
      }
      assertThat(picked).as("%s", kind).containsExactlyInAnyOrder("a:1", "c:1");
    }
  }
}
