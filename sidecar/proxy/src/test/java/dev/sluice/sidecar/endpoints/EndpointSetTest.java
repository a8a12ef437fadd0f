package dev.sluice.sidecar.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.Endpoint;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which endpoints take requests, as Kubernetes has it: ready ones; serving and terminating ones
 * only while none is ready; not ready and not serving, never. Endpoints that stay keep their load.
 */
class EndpointSetTest {
  private static Endpoint ep(String address, boolean ready, boolean serving, boolean terminating) {
    return new Endpoint(address, ready, serving, terminating, 1, null);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("ready ones serve", List.of(ep("a:1", true, true, false)), List.of("a:1")),
        Arguments.of(
            "terminating ones wait while one is ready",
            List.of(ep("a:1", false, true, true), ep("b:1", true, true, false)),
            List.of("b:1")),
        Arguments.of(
            "serving and terminating ones serve when none is ready",
            List.of(ep("a:1", false, true, true), ep("b:1", false, false, false)),
            List.of("a:1")),
        Arguments.of(
            "terminating and not serving: none", List.of(ep("a:1", false, false, true)), List.of()),
        Arguments.of(
            "not ready, serving, not terminating: none",
            List.of(ep("a:1", false, true, false)),
            List.of()),
        Arguments.of("no endpoint: none", List.of(), List.of()),
        Arguments.of(
            "dual stack, in document order",
            List.of(ep("[fd00::1]:80", true, true, false), ep("10.0.0.1:80", true, true, false)),
            List.of("[fd00::1]:80", "10.0.0.1:80")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void eligibility(String name, List<Endpoint> endpoints, List<String> eligible) {
    EndpointSet set = EndpointSet.of("ns/svc:80", endpoints, null);
    assertThat(set.eligible()).extracting(UpstreamEndpoint::address).isEqualTo(eligible);
    assertThat(EndpointSet.eligible(endpoints)).extracting(Endpoint::address).isEqualTo(eligible);
  }

  @Test
  void ipv6EndpointsConnectWithoutBrackets() {
    EndpointSet set = EndpointSet.of("c", List.of(Endpoint.ready("[::1]:8080")), null);
    assertThat(set.eligible().get(0).hostPort().host()).isEqualTo("::1");
  }

  @Test
  void anUpdateKeepsTheLoadOfEndpointsThatStay() {
    EndpointSet before =
        EndpointSet.of("c", List.of(Endpoint.ready("a:1"), Endpoint.ready("b:1")), null);
    before.eligible().get(0).started();
    EndpointSet after =
        EndpointSet.of("c", List.of(Endpoint.ready("a:1"), Endpoint.ready("c:1")), before);
    assertThat(after.eligible().get(0)).isSameAs(before.eligible().get(0));
    assertThat(after.eligible().get(0).inFlight()).isEqualTo(1);
    assertThat(after.serves(before.eligible().get(1))).as("b left").isFalse();
  }

  @Test
  void whyNoneNamesTheClusterAndTheCase() {
    assertThat(EndpointSet.of("ns/web:80", null, null).whyNone())
        .isEqualTo("cluster ns/web:80 is not known yet (no endpoints received for it)");
    assertThat(EndpointSet.of("ns/web:80", List.of(), null).whyNone())
        .isEqualTo("cluster ns/web:80 has no endpoint");
    assertThat(EndpointSet.of("ns/web:80", List.of(ep("a:1", false, false, false)), null).whyNone())
        .isEqualTo("cluster ns/web:80 has no ready or serving endpoint (1 not serving)");
  }
}
