package dev.sluice.operator.configservice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.operator.metrics.OperatorMetrics;
import dev.sluice.sidecar.config.ClusterEndpoints;
import dev.sluice.sidecar.config.Endpoint;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A pod's endpoint document: exactly the clusters it needs, versioned by content alone; and the
 * in-memory ACK book: who is behind, and the propagation measured once per slice-made version.
 */
class EndpointDocumentsTest {
  static final Endpoint A = Endpoint.ready("10.0.0.1:8080");
  static final Endpoint B = Endpoint.ready("10.0.0.2:8080");
  static final Endpoint B_TERMINATING = new Endpoint("10.0.0.2:8080", false, true, true, 1, null);

  static Map<String, List<Endpoint>> namespace(List<Endpoint> web) {
    Map<String, List<Endpoint>> clusters = new LinkedHashMap<>();
    clusters.put("shop/web:http", web);
    clusters.put("shop/api:http", List.of(A));
    clusters.put("shop/other:80", List.of(B));
    return clusters;
  }

  @Test
  void theDocumentHoldsExactlyTheNamedClustersAndAGoneOneIsEmpty() {
    var document =
        EndpointDocuments.of(Set.of("shop/web:http", "shop/gone:http"), namespace(List.of(A, B)));
    assertThat(document.endpoints().clusters())
        .containsOnlyKeys("shop/web:http", "shop/gone:http")
        .containsEntry("shop/web:http", List.of(A, B))
        .containsEntry("shop/gone:http", List.of());
    assertThat(document.endpoints().version()).isEqualTo(document.version());
  }

  @Test
  void itsJsonIsWrittenOnceAndReadsBackAsTheDocument() throws Exception {
    var document = EndpointDocuments.of(Set.of("shop/web:http"), namespace(List.of(A, B)));
    byte[] json = document.json();
    assertThat(document.json()).as("the same bytes for every pod it answers").isSameAs(json);
    assertThat(
            SidecarConfigCodec.readEndpoints(
                new String(json, java.nio.charset.StandardCharsets.UTF_8), "test"))
        .isEqualTo(document.endpoints());
  }

  @Test
  void sameContentSameVersionWhateverTheOrderItWasBuiltIn() {
    Set<String> forward = new LinkedHashSet<>(List.of("shop/web:http", "shop/api:http"));
    Set<String> backward = new LinkedHashSet<>(List.of("shop/api:http", "shop/web:http"));
    List<Map.Entry<String, List<Endpoint>>> entries =
        new java.util.ArrayList<>(namespace(List.of(A, B)).entrySet());
    java.util.Collections.reverse(entries);
    Map<String, List<Endpoint>> reversed = new LinkedHashMap<>();
    entries.forEach(e -> reversed.put(e.getKey(), e.getValue()));
    assertThat(EndpointDocuments.of(backward, reversed).version())
        .isEqualTo(EndpointDocuments.of(forward, namespace(List.of(A, B))).version());
    assertThat(EndpointDocuments.of(Set.of("shop/api:http"), namespace(List.of(A))).version())
        .as("a cluster the pod does not need changes nothing of its document")
        .isEqualTo(EndpointDocuments.of(Set.of("shop/api:http"), namespace(List.of(B))).version());
  }

  @Test
  void anEndpointOrAConditionChangeIsANewVersionThatTheSidecarReadsBack() throws Exception {
    Set<String> web = Set.of("shop/web:http");
    var two = EndpointDocuments.of(web, namespace(List.of(A, B)));
    var one = EndpointDocuments.of(web, namespace(List.of(A)));
    var terminating = EndpointDocuments.of(web, namespace(List.of(A, B_TERMINATING)));
    assertThat(Set.of(two.version(), one.version(), terminating.version())).hasSize(3);
    ClusterEndpoints read =
        SidecarConfigCodec.readEndpoints(
            SidecarConfigCodec.toJson(terminating.endpoints()), "endpoints");
    assertThat(read).isEqualTo(terminating.endpoints());
  }

  @Test
  void aPodIsBehindUntilItAppliesItsCurrentVersionAndPropagationIsMeasuredOnce() {
    OperatorMetrics metrics = OperatorMetrics.none();
    EndpointAcks acks = new EndpointAcks(metrics);
    acks.track("shop/web-1", "v1", 0);
    acks.track("shop/web-2", "v1", 0);
    assertThat(acks.lagging()).isEqualTo(2);
    acks.applied("shop/web-1", "v1", 5_000_000);
    acks.applied("shop/web-2", "v1", 5_000_000);
    assertThat(acks.lagging()).isZero();
    var timer = metrics.registry().get("sluice_operator_endpoints_propagation").timer();
    assertThat(timer.count()).as("a first poll is no propagation").isZero();

    acks.offered("shop/web-1", "v2", 10_000_000, true);
    acks.offered("shop/web-2", "v2", 10_000_000, true);
    assertThat(acks.lagging()).isEqualTo(2);
    acks.applied("shop/web-1", "v2", 40_000_000);
    acks.applied("shop/web-1", "v2", 90_000_000); // the same ACK again
    acks.applied("shop/web-2", "v1", 40_000_000); // a late ACK of the old version
    assertThat(acks.lagging()).isEqualTo(1);
    assertThat(timer.count()).isEqualTo(1);
    assertThat(timer.max(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(30.0);
    assertThat(acks.pods("shop")).containsExactlyInAnyOrder("shop/web-1", "shop/web-2");
    acks.forget("shop/web-2");
    assertThat(acks.lagging()).isZero();
  }
}
