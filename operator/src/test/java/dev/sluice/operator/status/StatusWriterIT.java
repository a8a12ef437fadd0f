package dev.sluice.operator.status;

import static org.awaitility.Awaitility.await;

import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.testing.Objects;
import dev.sluice.operator.testing.OperatorHarness;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Invariant: the status writer remembers one status per live ProxyRoute and OffloadAgent, and
 * forgets an object's once it is deleted, so what it remembers does not grow with every object that
 * ever existed.
 */
class StatusWriterIT {
  static final String NS = "shop";

  @Test
  void aDeletedRouteOrAgentIsForgotten() throws Exception {
    try (EmbeddedKubernetes cluster = new EmbeddedKubernetes();
        OperatorHarness harness = new OperatorHarness(cluster, Clock.systemUTC())) {
      KubernetesClient client = cluster.client();
      cluster.namespace(NS);
      StatusWriter statuses = harness.start().statuses();
      client.resource(Objects.agent("waf", List.of("10.2.0.1:12345"))).create();
      client
          .resource(
              Objects.route(
                  "web",
                  "web",
                  8080,
                  "[{backend: {endpoints: [10.1.0.1:8080]},"
                      + " offload: [{agent: waf, messages: [check]}]}]"))
          .create();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                ProxyRoute r =
                    client.resources(ProxyRoute.class).inNamespace(NS).withName("web").get();
                OffloadAgent a =
                    client.resources(OffloadAgent.class).inNamespace(NS).withName("waf").get();
                return r.getStatus() != null && a.getStatus() != null;
              });
      await().atMost(Duration.ofSeconds(30)).until(() -> statuses.remembered() == 2);

      client.resources(ProxyRoute.class).inNamespace(NS).withName("web").delete();
      await().atMost(Duration.ofSeconds(30)).until(() -> statuses.remembered() == 1);
      client.resources(OffloadAgent.class).inNamespace(NS).withName("waf").delete();
      await().atMost(Duration.ofSeconds(30)).until(() -> statuses.remembered() == 0);
    }
  }
}
