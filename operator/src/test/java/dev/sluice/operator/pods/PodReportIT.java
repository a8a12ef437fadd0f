package dev.sluice.operator.pods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.ProxyRouteStatus;
import dev.sluice.operator.status.Conditions;
import dev.sluice.operator.testing.MutableClock;
import dev.sluice.operator.testing.Objects;
import dev.sluice.operator.testing.OperatorHarness;
import dev.sluice.operator.testing.SimulatedSidecar;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a sidecar reports is recorded on its pod in a form the real API server accepts — whether the
 * pod has no conditions yet, only the kubelet's, or ours already — and a rejection's reason is said
 * once in the pod's condition and annotation, the route's conditions and its Events.
 */
class PodReportIT {
  static final String NS = "shop";

  EmbeddedKubernetes cluster;
  KubernetesClient client;
  OperatorHarness harness;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new EmbeddedKubernetes();
    client = cluster.client();
    harness = new OperatorHarness(cluster, new MutableClock(Instant.now()));
    cluster.namespace(NS);
    client.resource(Objects.service(NS, "backend", 8080)).create();
    client.resource(Objects.endpoints(NS, "backend", 8080, List.of("10.1.0.1"))).create();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
    cluster.close();
  }

  /** A sidecar pod as a real API server holds it before the kubelet wrote conditions. */
  Pod podWithoutConditions(String name) {
    Pod pod = Objects.sidecarPod(NS, name, Map.of("app", "web"));
    pod.getStatus().setConditions(null);
    return client.resource(pod).create();
  }

  void route() {
    client
        .resource(
            Objects.route(
                """
                apiVersion: sluice.dev/v1alpha1
                kind: ProxyRoute
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {matchLabels: {app: web}}
                  listener: {port: 8080}
                  rules: [{name: all, backend: {service: {name: backend, port: 8080}}}]
                  rollout: {onFailure: Halt}
                """))
        .create();
  }

  List<PodCondition> conditions(String pod) {
    Pod p = client.pods().inNamespace(NS).withName(pod).get();
    return p.getStatus().getConditions() == null ? List.of() : p.getStatus().getConditions();
  }

  PodCondition ours(String pod) {
    return conditions(pod).stream()
        .filter(c -> Labels.CONFIG_APPLIED_CONDITION.equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  ProxyRouteStatus status() {
    ProxyRoute r = client.resources(ProxyRoute.class).inNamespace(NS).withName("web").get();
    return r == null ? null : r.getStatus();
  }

  List<Event> events() {
    return client.v1().events().inNamespace(NS).list().getItems();
  }

  @Test
  void aPodWithoutConditionsGetsOursAndTheKubeletsStay() throws Exception {
    Pod bare = podWithoutConditions("web-1");
    route();
    harness.start();
    SimulatedSidecar sidecar = harness.sidecar(bare, c -> false);
    await().atMost(Duration.ofSeconds(30)).until(() -> ours("web-1") != null);
    assertThat(conditions("web-1")).extracting(PodCondition::getStatus).containsExactly("True");
    String applied = sidecar.applied();
    assertThat(applied).isNotNull();

    // The kubelet adds its own; later reports replace ours in place and keep it.
    client
        .pods()
        .inNamespace(NS)
        .withName("web-1")
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON),
            "[{\"op\":\"add\",\"path\":\"/status/conditions/-\","
                + "\"value\":{\"type\":\"Ready\",\"status\":\"True\"}}]");
    SidecarReport rejected =
        new SidecarReport(
            applied, SidecarReport.Outcome.Rejected, "x", List.of("x"), null, null, null);
    PodWriter writer = new PodWriter(client);
    writer.report(NS, "web-1", rejected, Instant.now());
    writer.report(NS, "web-1", rejected, Instant.now()); // twice: the same as once
    assertThat(conditions("web-1"))
        .extracting(PodCondition::getType)
        .containsExactly(Labels.CONFIG_APPLIED_CONDITION, "Ready");
    assertThat(ours("web-1").getStatus()).isEqualTo("False");
    assertThat(ours("web-1").getMessage()).isEqualTo("Rejected revision " + applied + ": x");
  }

  @Test
  void aRejectionReasonIsSaidOnceEverywhere() throws Exception {
    Pod pod = client.resource(Objects.sidecarPod(NS, "web-1", Map.of("app", "web"))).create();
    route();
    harness.start();
    harness.sidecar(pod, c -> true);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> status() != null && Conditions.isTrue(status().conditions(), "Stalled"));
    await().atMost(Duration.ofSeconds(10)).until(() -> ours("web-1") != null);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> events().stream().anyMatch(e -> e.getMessage().startsWith("Stalled=True")));
    List<String> said = new ArrayList<>();
    said.add(Conditions.find(status().conditions(), "Stalled").getMessage());
    said.add(Conditions.find(status().conditions(), "Ready").getMessage());
    said.add(ours("web-1").getMessage());
    Pod stored = client.pods().inNamespace(NS).withName("web-1").get();
    said.add(stored.getMetadata().getAnnotations().get(Labels.REJECTED_REASON));
    events().stream().map(Event::getMessage).filter(m -> m.contains("rejected")).forEach(said::add);
    assertThat(said).hasSizeGreaterThanOrEqualTo(6);
    assertThat(said)
        .allSatisfy(
            text ->
                assertThat(text.split(SimulatedSidecar.REJECTION, -1))
                    .as("said once in: %s", text)
                    .hasSize(2));
  }
}
