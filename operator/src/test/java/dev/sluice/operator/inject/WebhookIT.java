package dev.sluice.operator.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.Labels;
import dev.sluice.operator.testing.LocalhostTls;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Invariant: the webhook, over real HTTPS with AdmissionReview JSON as the API server sends it,
 * answers every Pod CREATE allowed, with a JSON Patch exactly when the injector adds a sidecar —
 * and that patch, applied to the pod, gives the injector's pod.
 */
class WebhookIT {
  static final ObjectMapper JSON = JsonMapper.builder().build();
  static final Map<String, Map<String, String>> NAMESPACES =
      Map.of("shop", Map.of(Labels.INJECT, "enabled"), "plain", Map.of());
  static LocalhostTls tls;
  static WebhookServer nativeServer;
  static WebhookServer regularServer;
  static WebhookServer scrapingServer;
  static final List<String> notes = new CopyOnWriteArrayList<>();
  static HttpClient client;
  static final List<String> skips = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    tls = LocalhostTls.create();
    SSLContext server = tls.server();
    Consumer<AdmissionWebhook.Answer> skipped =
        a -> {
          if (a.skipReason() != null) {
            skips.add(a.skipReason());
          }
        };
    nativeServer = server(server, InjectorGoldenTest.NATIVE, skipped);
    regularServer = server(server, InjectorGoldenTest.REGULAR, skipped);
    scrapingServer =
        server(
            server,
            InjectorGoldenTest.SCRAPED,
            a -> {
              if (a.note() != null) {
                notes.add(a.note());
              }
            });
    client = tls.client();
  }

  static WebhookServer server(
      SSLContext tls, InjectionSettings settings, Consumer<AdmissionWebhook.Answer> answered)
      throws Exception {
    return new WebhookServer(
        new InetSocketAddress("127.0.0.1", 0),
        tls,
        new AdmissionWebhook(settings, ns -> NAMESPACES.getOrDefault(ns, Map.of())),
        answered);
  }

  @AfterAll
  static void stop() {
    nativeServer.close();
    regularServer.close();
    scrapingServer.close();
    tls.close();
  }

  record Reply(int status, JsonNode body, String text) {}

  static Reply post(WebhookServer server, String body) throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "https://localhost:" + server.address().getPort() + WebhookServer.PATH))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode json = null;
    if (response.statusCode() == 200) {
      json = JSON.readTree(response.body());
    }
    return new Reply(response.statusCode(), json, response.body());
  }

  static String review(Pod pod, String namespace) {
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1");
    review.put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", "705ab4f5-6393-11e8-b7cc-42010a800002");
    request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
    request.put("operation", "CREATE");
    request.put("namespace", namespace);
    request.set("object", JSON.valueToTree(pod));
    return review.toString();
  }

  /** Applies the add/replace operations of a JSON Patch (what the webhook emits). */
  static JsonNode apply(JsonNode document, JsonNode patch) {
    ObjectNode copy = document.deepCopy();
    for (JsonNode op : patch) {
      String[] path = op.get("path").asText().substring(1).split("/");
      ObjectNode parent = (ObjectNode) copy.get(path[0]);
      parent.set(path[1], op.get("value"));
    }
    return copy;
  }

  static Pod patched(Pod pod, Reply reply) throws Exception {
    JsonNode response = reply.body().get("response");
    assertThat(response.get("patchType").asText()).isEqualTo("JSONPatch");
    JsonNode patch = JSON.readTree(Base64.getDecoder().decode(response.get("patch").asText()));
    return JSON.treeToValue(apply(JSON.valueToTree(pod), patch), Pod.class);
  }

  @Test
  void aPodInAnOptedInNamespaceIsPatchedToTheInjectorsPod() throws Exception {
    Pod pod = InjectorGoldenTest.pod();
    Reply reply = post(nativeServer, review(pod, "shop"));
    assertThat(reply.status()).isEqualTo(200);
    JsonNode response = reply.body().get("response");
    assertThat(response.get("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    assertThat(response.get("allowed").asBoolean()).isTrue();
    Pod result = patched(pod, reply);
    assertThat(result)
        .isEqualTo(Injector.inject(pod, NAMESPACES.get("shop"), InjectorGoldenTest.NATIVE).pod());
    assertThat(result.getSpec().getInitContainers().get(0).getRestartPolicy()).isEqualTo("Always");
  }

  @Test
  void aPodOptInWorksOnARegularSidecarServer() throws Exception {
    Pod pod =
        new PodBuilder(InjectorGoldenTest.pod())
            .editMetadata()
            .withNamespace("plain")
            .withAnnotations(null)
            .addToLabels(Labels.INJECT, "true")
            .endMetadata()
            .build();
    Reply reply = post(regularServer, review(pod, "plain"));
    Pod result = patched(pod, reply);
    assertThat(result.getSpec().getContainers().get(0).getName()).isEqualTo(Injector.CONTAINER);
    assertThat(result.getMetadata().getAnnotations()).containsKey(Labels.INJECTED);
  }

  @Test
  void optOutNotOptedInAndAlreadyInjectedPodsAreAllowedUnchanged() throws Exception {
    Pod optOut =
        new PodBuilder(InjectorGoldenTest.pod())
            .editMetadata()
            .addToLabels(Labels.INJECT, "false")
            .endMetadata()
            .build();
    Pod injected =
        Injector.inject(InjectorGoldenTest.pod(), NAMESPACES.get("shop"), InjectorGoldenTest.NATIVE)
            .pod();
    for (var c :
        List.of(
            Map.entry(optOut, "shop"),
            Map.entry(InjectorGoldenTest.pod(), "plain"),
            Map.entry(injected, "shop"))) {
      skips.clear();
      Reply reply = post(nativeServer, review(c.getKey(), c.getValue()));
      assertThat(reply.status()).isEqualTo(200);
      JsonNode response = reply.body().get("response");
      assertThat(response.get("allowed").asBoolean()).isTrue();
      assertThat(response.has("patch")).isFalse();
      assertThat(skips).hasSize(1);
    }
  }

  @Test
  void somethingThatIsNotAReviewGets400SayingWhatWasExpected() throws Exception {
    Reply notJson = post(nativeServer, "{nope");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.text()).contains("expected: an AdmissionReview");
    Reply noObject = post(nativeServer, "{\"request\":{\"uid\":\"1\"}}");
    assertThat(noObject.status()).isEqualTo(400);
    assertThat(noObject.text()).contains("request.uid and request.object are required");
  }

  @Test
  void scrapeAnnotationsArriveInThePatchAndAPodsOwnAreKeptWithANote() throws Exception {
    Pod bare =
        new PodBuilder(InjectorGoldenTest.pod())
            .editMetadata()
            .withAnnotations(null)
            .endMetadata()
            .build();
    notes.clear();
    Pod annotated = patched(bare, post(scrapingServer, review(bare, "shop")));
    assertThat(annotated.getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "10090")
        .containsEntry("prometheus.io/path", "/metrics");
    assertThat(notes).isEmpty();

    Pod own =
        new PodBuilder(bare)
            .editMetadata()
            .addToAnnotations("prometheus.io/scrape", "true")
            .addToAnnotations("prometheus.io/port", "9102")
            .endMetadata()
            .build();
    Pod kept = patched(own, post(scrapingServer, review(own, "shop")));
    assertThat(kept.getSpec().getInitContainers().get(0).getName()).isEqualTo(Injector.CONTAINER);
    assertThat(kept.getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "9102")
        .doesNotContainKey("prometheus.io/path");
    assertThat(notes)
        .singleElement()
        .asString()
        .startsWith("kept the pod's own prometheus.io/port, prometheus.io/scrape");
  }
}
