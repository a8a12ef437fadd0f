package dev.sluice.operator.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.api.Labels;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Invariant: the webhook never admits a pod without a sidecar because its namespace was missing
 * from the informer's cache — it asks the API server, and when that fails too it refuses the pod
 * (503, naming the namespace) so that it is created again later, as {@code failurePolicy: Fail}
 * intends.
 */
class NamespaceCacheMissIT {
  static final JsonMapper JSON = JsonMapper.builder().build();

  static Pod pod(String namespace) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("web-1")
        .withNamespace(namespace)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("nginx")
        .endContainer()
        .endSpec()
        .build();
  }

  static JsonNode response(AdmissionWebhook.Answer answer) throws Exception {
    return JSON.readTree(answer.json()).path("response");
  }

  @Test
  void aNamespaceMissingFromTheCacheIsLookedUpLive() throws Exception {
    try (EmbeddedKubernetes cluster = new EmbeddedKubernetes()) {
      cluster.namespace("shop", Map.of(Labels.INJECT, "enabled"));
      NamespaceLabels labels =
          new NamespaceLabels(
              name -> null, // the informer has not seen it yet
              name -> cluster.client().namespaces().withName(name).get(),
              null);
      AdmissionWebhook webhook = new AdmissionWebhook(InjectorGoldenTest.NATIVE, labels);

      AdmissionWebhook.Answer answer =
          webhook.review(AdmissionWebhook.reviewOfCreate(pod("shop"), "uid-1", false));

      assertThat(answer.injected()).as("injected").isTrue();
      assertThat(response(answer).path("allowed").asBoolean()).isTrue();
      assertThat(response(answer).path("patchType").asText()).isEqualTo("JSONPatch");
    }
  }

  @Test
  void aFailedLiveLookupRefusesThePodNamingTheNamespace() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    try (KubernetesClient unreachable =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl("https://127.0.0.1:" + closed)
                    .withRequestRetryBackoffLimit(0)
                    .withConnectionTimeout(5_000)
                    .build())
            .build()) {
      NamespaceLabels labels =
          new NamespaceLabels(
              name -> null, name -> unreachable.namespaces().withName(name).get(), null);
      AdmissionWebhook webhook = new AdmissionWebhook(InjectorGoldenTest.NATIVE, labels);

      AdmissionWebhook.Answer answer =
          webhook.review(AdmissionWebhook.reviewOfCreate(pod("shop"), "uid-2", false));

      JsonNode response = response(answer);
      assertThat(answer.injected()).isFalse();
      assertThat(response.path("uid").asText()).isEqualTo("uid-2");
      assertThat(response.path("allowed").asBoolean(true)).as("allowed").isFalse();
      assertThat(response.path("patch").isMissingNode()).isTrue();
      assertThat(response.path("status").path("code").asInt()).isEqualTo(503);
      assertThat(response.path("status").path("message").asText())
          .startsWith(
              "namespace shop: its labels are not cached yet and reading them from the API server"
                  + " failed (")
          .endsWith("); sidecar injection cannot be decided, retry");
    }
  }
}
