package dev.sluice.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.operator.render.ServiceKey;
import dev.sluice.operator.render.ServicePortEndpoints;
import dev.sluice.operator.testing.Slices;
import dev.sluice.sidecar.config.Endpoint;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The endpoints of each Service port, as Kubernetes defines EndpointSlices. */
class EndpointIndexTest {
  /** Service web: port 80 named http (target 8080), port 9090 named metrics (target 9100). */
  static final Service WEB =
      new ServiceBuilder()
          .withNewMetadata()
          .withName("web")
          .withNamespace("shop")
          .endMetadata()
          .withNewSpec()
          .addNewPort()
          .withName("http")
          .withPort(80)
          .endPort()
          .addNewPort()
          .withName("metrics")
          .withPort(9090)
          .endPort()
          .endSpec()
          .build();

  /** Service legacy: one port without a name. */
  static final Service LEGACY =
      new ServiceBuilder()
          .withNewMetadata()
          .withName("legacy")
          .withNamespace("shop")
          .endMetadata()
          .withNewSpec()
          .addNewPort()
          .withPort(8080)
          .endPort()
          .endSpec()
          .build();

  static ServicePortEndpoints web(List<EndpointSlice> slices) {
    return EndpointIndex.build(List.of(WEB, LEGACY), slices).get(new ServiceKey("web", 80));
  }

  static Endpoint endpoint(String address, boolean ready, boolean serving, boolean terminating) {
    return new Endpoint(address, ready, serving, terminating, 1, "zone-a");
  }

  @Test
  void conditionsAreKeptAsTheSliceGivesThem() {
    EndpointSlice slice =
        Slices.of("shop", "web-1", "web", "IPv4")
            .port("http", 8080)
            .ready("10.0.0.1")
            .notReady("10.0.0.2")
            .terminating("10.0.0.3", true)
            .terminating("10.0.0.4", false)
            .build();
    assertThat(web(List.of(slice)).endpoints())
        .containsExactly(
            endpoint("10.0.0.1:8080", true, true, false),
            endpoint("10.0.0.2:8080", false, false, false),
            endpoint("10.0.0.3:8080", false, true, true),
            endpoint("10.0.0.4:8080", false, false, true));
    assertThat(web(List.of(slice)).readyAddresses()).containsExactly("10.0.0.1:8080");
  }

  @Test
  void nilReadyMeansReadyAndNilServingMeansTheValueOfReady() {
    EndpointSlice slice =
        Slices.of("shop", "web-1", "web", "IPv4")
            .port("http", 8080)
            .endpoint("10.0.0.1", null, null, null)
            .endpoint("10.0.0.2", false, null, null)
            .endpoint("10.0.0.3", true, null, true)
            .build();
    assertThat(web(List.of(slice)).endpoints())
        .containsExactly(
            endpoint("10.0.0.1:8080", true, true, false),
            endpoint("10.0.0.2:8080", false, false, false),
            endpoint("10.0.0.3:8080", true, true, true));
  }

  @Test
  void dualStackAndSeveralSlicesMakeOneSortedList() {
    List<EndpointSlice> slices =
        List.of(
            Slices.of("shop", "web-v4b", "web", "IPv4")
                .port("http", 8080)
                .ready("10.0.0.9")
                .build(),
            Slices.of("shop", "web-v6", "web", "IPv6").port("http", 8080).ready("fd00::1").build(),
            Slices.of("shop", "web-v4a", "web", "IPv4")
                .port("http", 8080)
                .ready("10.0.0.1")
                .build());
    assertThat(web(slices).endpoints())
        .extracting(Endpoint::address)
        .containsExactly("10.0.0.1:8080", "10.0.0.9:8080", "[fd00::1]:8080");
    assertThat(web(slices).cluster()).isEqualTo("shop/web:http");
  }

  @Test
  void anAddressInTwoSlicesCountsOnceWithItsMostAvailableConditions() {
    List<EndpointSlice> slices =
        List.of(
            Slices.of("shop", "old", "web", "IPv4").port("http", 8080).notReady("10.0.0.1").build(),
            Slices.of("shop", "new", "web", "IPv4").port("http", 8080).ready("10.0.0.1").build());
    assertThat(web(slices).endpoints())
        .containsExactly(endpoint("10.0.0.1:8080", true, true, false));
    assertThat(web(List.of(slices.get(1), slices.get(0))).endpoints())
        .as("whatever order the informer lists them in")
        .isEqualTo(web(slices).endpoints());
  }

  @Test
  void portsAreFoundByTheServicePortsNameAndCarryTheTargetNumberOfEachSlice() {
    // A named targetPort resolving to different numbers: one slice per number.
    List<EndpointSlice> slices =
        List.of(
            Slices.of("shop", "web-a", "web", "IPv4")
                .port("metrics", 9100)
                .port("http", 8080)
                .ready("10.0.0.1")
                .build(),
            Slices.of("shop", "web-b", "web", "IPv4")
                .port("http", 8081)
                .port("metrics", 9101)
                .ready("10.0.0.2")
                .build(),
            Slices.of("shop", "web-c", "web", "IPv4").port("other", 1).ready("10.0.0.3").build());
    Map<ServiceKey, ServicePortEndpoints> index = EndpointIndex.build(List.of(WEB, LEGACY), slices);
    assertThat(index.get(new ServiceKey("web", 80)).readyAddresses())
        .containsExactly("10.0.0.1:8080", "10.0.0.2:8081");
    assertThat(index.get(new ServiceKey("web", 9090)).readyAddresses())
        .containsExactly("10.0.0.1:9100", "10.0.0.2:9101");
    assertThat(index.get(new ServiceKey("web", 9090)).cluster()).isEqualTo("shop/web:metrics");
    assertThat(index).as("no such Service port").doesNotContainKey(new ServiceKey("web", 81));
  }

  @Test
  void anUnnamedPortIsNamedByItsNumberAndAServiceWithoutEndpointsHasAnEmptyList() {
    Map<ServiceKey, ServicePortEndpoints> none = EndpointIndex.build(List.of(LEGACY), List.of());
    assertThat(none.get(new ServiceKey("legacy", 8080)))
        .isEqualTo(new ServicePortEndpoints("shop/legacy:8080", List.of()));
    EndpointSlice slice =
        Slices.of("shop", "legacy-1", "legacy", "IPv4").port(null, 8080).ready("10.0.0.5").build();
    assertThat(
            EndpointIndex.build(List.of(LEGACY), List.of(slice))
                .get(new ServiceKey("legacy", 8080))
                .readyAddresses())
        .containsExactly("10.0.0.5:8080");
  }

  @Test
  void fqdnSlicesAndSlicesOfOtherServicesAreNotEndpoints() {
    EndpointSlice fqdn =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withName("web-fqdn")
            .withNamespace("shop")
            .addToLabels("kubernetes.io/service-name", "web")
            .endMetadata()
            .withAddressType("FQDN")
            .addNewPort()
            .withName("http")
            .withPort(8080)
            .endPort()
            .addNewEndpoint()
            .withAddresses("web.example.com")
            .endEndpoint()
            .build();
    EndpointSlice other =
        Slices.of("shop", "api-1", "api", "IPv4").port("http", 8080).ready("10.0.0.7").build();
    assertThat(web(List.of(fqdn, other)).endpoints()).isEmpty();
  }
}
