package dev.sluice.operator.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.ProxyRouteStatus;
import dev.sluice.operator.status.Conditions;
import dev.sluice.operator.testing.MutableClock;
import dev.sluice.operator.testing.Objects;
import dev.sluice.operator.testing.OperatorHarness;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Invariant: the operator lists and watches only the Secrets routes name (each by {@code
 * metadata.name}) and its own (by label), never every Secret of a namespace — and a rotated
 * listener certificate still rolls out to the pods.
 */
class ReferencedSecretsIT {
  static final String NS = "shop";
  static final String AGENT = "sluice-operator-secrets-it";

  static boolean ready(KubernetesClient client) {
    ProxyRoute route = client.resources(ProxyRoute.class).inNamespace(NS).withName("web").get();
    ProxyRouteStatus status = route == null ? null : route.getStatus();
    Condition c = status == null ? null : Conditions.find(status.conditions(), "Ready");
    return c != null && "True".equals(c.getStatus());
  }

  static String assigned(KubernetesClient client) {
    Pod pod = client.pods().inNamespace(NS).withName("web-1").get();
    return pod.getMetadata().getAnnotations().get(Labels.ASSIGNED_REVISION);
  }

  /** The lists and watches of a core {@code resource} (plural) {@code agent} made so far. */
  static List<String> reads(EmbeddedKubernetes cluster, String agent, String resource)
      throws InterruptedException {
    return cluster.takeRequests().stream()
        .filter(r -> agent.equals(r.getHeader("User-Agent")) && "GET".equals(r.getMethod()))
        .map(RecordedRequest::getPath)
        .map(p -> URLDecoder.decode(p, StandardCharsets.UTF_8))
        .filter(p -> p.matches("^/api/v1/(namespaces/[^/]+/)?" + resource + "(\\?.*)?$"))
        .toList();
  }

  @Test
  void onlyNamedSecretsAreWatchedAndARotationRollsOut() throws Exception {
    try (EmbeddedKubernetes cluster = new EmbeddedKubernetes();
        KubernetesClient operator = cluster.clientAs(AGENT);
        OperatorHarness harness =
            new OperatorHarness(
                cluster, new MutableClock(Instant.now()), operator, UnaryOperator.identity())) {
      KubernetesClient client = cluster.client();
      cluster.namespace(NS);
      client.resource(Objects.tlsSecret("web-tls", "web.shop")).create();
      client
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("unrelated")
                  .withNamespace(NS)
                  .endMetadata()
                  .withStringData(Map.of("password", "hunter2"))
                  .build())
          .create();
      harness.start();
      Pod pod = client.resource(Objects.sidecarPod(NS, "web-1", Map.of("app", "web"))).create();
      harness.sidecar(pod, c -> false);
      client
          .resource(
              Objects.route(
                  """
                  apiVersion: sluice.dev/v1alpha1
                  kind: ProxyRoute
                  metadata: {name: web, namespace: shop}
                  spec:
                    selector: {matchLabels: {app: web}}
                    listener: {port: 8443, protocol: HTTPS, tls: {secretName: web-tls}}
                    rules: [{backend: {endpoints: [10.0.0.1:80]}}]
                  """))
          .create();
      await().atMost(Duration.ofSeconds(30)).until(() -> ready(client));
      String before = assigned(client);

      // Rotation: the same Secret, a new certificate.
      client.resource(Objects.tlsSecret("web-tls", "web.shop")).update();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> !before.equals(assigned(client)) && ready(client));

      List<String> secretReads = reads(cluster, AGENT, "secrets");
      assertThat(secretReads)
          .as("every list and watch of Secrets is narrowed")
          .isNotEmpty()
          .allMatch(
              p -> p.contains("fieldSelector=metadata.name=") || p.contains("labelSelector="));
      assertThat(secretReads).anyMatch(p -> p.contains("fieldSelector=metadata.name=web-tls"));
      assertThat(secretReads).noneMatch(p -> p.contains("unrelated"));
    }
  }
}
