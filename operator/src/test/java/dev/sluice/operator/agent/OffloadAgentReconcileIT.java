package dev.sluice.operator.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.OffloadAgentStatus;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.status.Conditions;
import dev.sluice.operator.testing.Objects;
import dev.sluice.operator.testing.OperatorHarness;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OffloadAgent reconcile flows: endpoints missing, then appearing; the routes that use it; and
 * Available following what the sidecars report of its health (Unknown until one does).
 */
class OffloadAgentReconcileIT {
  static final String NS = "shop";

  EmbeddedKubernetes cluster;
  KubernetesClient client;
  OperatorHarness harness;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new EmbeddedKubernetes();
    client = cluster.client();
    harness = new OperatorHarness(cluster, Clock.systemUTC());
    cluster.namespace(NS);
    harness.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
    cluster.close();
  }

  static final String AGENT =
      """
      apiVersion: sluice.dev/v1alpha1
      kind: OffloadAgent
      metadata: {name: waf, namespace: shop}
      spec:
        service: {name: waf-agent, port: 12345}
        timeouts: {processing: 300ms}
        messages:
          - name: check
            event: Request
            args: [{name: src, value: src}]
      """;

  static ProxyRoute route() {
    return Objects.route(
        "web",
        "web",
        8080,
        "[{backend: {endpoints: [10.1.0.1:8080]}, offload: [{agent: waf, messages: [check]}]}]");
  }

  OffloadAgentStatus status() {
    OffloadAgent a = client.resources(OffloadAgent.class).inNamespace(NS).withName("waf").get();
    return a == null ? null : a.getStatus();
  }

  Condition condition(String type) {
    OffloadAgentStatus s = status();
    return s == null ? null : Conditions.find(s.conditions(), type);
  }

  boolean is(String type, String status, String reason) {
    Condition c = condition(type);
    return c != null && status.equals(c.getStatus()) && reason.equals(c.getReason());
  }

  void health(Pod pod, int available) throws Exception {
    String token = cluster.issueToken(NS, pod.getMetadata().getName(), pod.getMetadata().getUid());
    HttpResponse<String> response =
        HttpClient.newBuilder()
            .sslContext(harness.trust())
            .build()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            harness.configServiceUrl()
                                + "/v1/pods/shop/"
                                + pod.getMetadata().getName()
                                + "/health"))
                    .header("Authorization", "Bearer " + token)
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"waf\":{\"endpoints\":2,\"available\":" + available + "}}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(204);
  }

  @Test
  void endpointsRoutesAndHealthMakeItsStatus() throws Exception {
    client.resource(Objects.agent(AGENT)).create();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> is("ResolvedRefs", "False", "ServiceNotFound"));
    assertThat(condition("ResolvedRefs").getMessage())
        .isEqualTo(
            "spec.service: \"waf-agent:12345\" (expected: a Service in namespace shop with that"
                + " port)");
    assertThat(condition("Ready").getStatus()).isEqualTo("False");
    assertThat(condition("Available").getStatus()).isEqualTo("Unknown");
    assertThat(condition("Available").getMessage())
        .isEqualTo("No ProxyRoute uses the agent, so no sidecar checks its health.");

    client.resource(Objects.service(NS, "waf-agent", 12345)).create();
    client
        .resource(Objects.endpoints(NS, "waf-agent", 12345, List.of("10.2.0.1", "10.2.0.2")))
        .create();
    await().atMost(Duration.ofSeconds(20)).until(() -> is("Ready", "True", "Resolved"));
    assertThat(status().endpoints()).isEqualTo(2);
    assertThat(condition("ResolvedRefs").getMessage()).isEqualTo("2 agent endpoints resolved.");

    client.resource(route()).create();
    Pod pod = client.resource(Objects.sidecarPod(NS, "web-1", Map.of("app", "web"))).create();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Integer.valueOf(1).equals(status().routes()));
    assertThat(condition("Available").getMessage())
        .isEqualTo("No sidecar has reported the agent's health yet.");

    health(pod, 1);
    await().atMost(Duration.ofSeconds(20)).until(() -> is("Available", "True", "Available"));
    assertThat(condition("Available").getMessage())
        .isEqualTo("1 of 2 endpoints pass SPOP health checks.");
    assertThat(status().availableEndpoints()).isEqualTo(1);

    health(pod, 0);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> is("Available", "False", "NoHealthyEndpoints"));
    assertThat(condition("Ready").getStatus()).isEqualTo("False");
    assertThat(condition("Ready").getReason()).isEqualTo("NoHealthyEndpoints");
  }
}
