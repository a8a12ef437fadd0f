package dev.sluice.operator.conversion;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.api.validation.CrdValidator;
import dev.sluice.api.validation.SluiceCrds;
import dev.sluice.operator.inject.AdmissionWebhook;
import dev.sluice.operator.inject.InjectorGoldenTest;
import dev.sluice.operator.inject.WebhookServer;
import dev.sluice.operator.testing.LocalhostTls;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The conversion webhook as the API server calls it: ConversionReview v1 over real HTTPS on the
 * webhook's port and certificate, objects as they are stored (admitted), both directions, every
 * answer a review with the request's uid, and the ways a review can be wrong.
 */
class ConversionWebhookIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final CrdValidator SCHEMA = SluiceCrds.forKind("ProxyRoute");
  static LocalhostTls tls;
  static WebhookServer server;

  @BeforeAll
  static void start() throws Exception {
    tls = LocalhostTls.create();
    server =
        new WebhookServer(
            new InetSocketAddress("127.0.0.1", 0),
            tls.server(),
            new AdmissionWebhook(InjectorGoldenTest.NATIVE, ns -> Map.of()),
            answer -> {});
  }

  @AfterAll
  static void stop() {
    server.close();
    tls.close();
  }

  @Test
  void storedV1alpha1RoutesAreServedAsV1alpha2AndBackExactly() throws Exception {
    List<ObjectNode> stored = List.of(shop(), admitted(CHANGED));
    JsonNode up = post(review("3f1c-1", "sluice.dev/v1alpha2", stored)).json();

    assertThat(up.path("apiVersion").asText()).isEqualTo("apiextensions.k8s.io/v1");
    assertThat(up.path("kind").asText()).isEqualTo("ConversionReview");
    assertThat(up.at("/response/uid").asText()).isEqualTo("3f1c-1");
    assertThat(up.at("/response/result/status").asText()).isEqualTo("Success");
    JsonNode converted = up.at("/response/convertedObjects");
    assertThat(converted).hasSize(2);
    for (int i = 0; i < 2; i++) {
      JsonNode object = converted.get(i);
      assertThat(object.path("apiVersion").asText()).isEqualTo("sluice.dev/v1alpha2");
      assertThat(object.at("/metadata/name")).isEqualTo(stored.get(i).at("/metadata/name"));
      assertThat(SCHEMA.admit((ObjectNode) object, null, false).errors()).isEmpty();
    }
    assertThat(converted.at("/0/spec/rules/0/backendRefs/0/name").asText())
        .isEqualTo("upload-store");
    assertThat(converted.at("/0/spec/rules/0/matches")).hasSize(2); // POST and PUT

    List<ObjectNode> back = List.of((ObjectNode) converted.get(0), (ObjectNode) converted.get(1));
    JsonNode down = post(review("3f1c-2", "sluice.dev/v1alpha1", back)).json();
    assertThat(down.at("/response/result/status").asText()).isEqualTo("Success");
    assertThat(down.at("/response/convertedObjects/0")).isEqualTo(stored.get(0));
    assertThat(down.at("/response/convertedObjects/1")).isEqualTo(stored.get(1));
  }

  @Test
  void anObjectThatCannotBeConvertedFailsTheReviewNamingItFieldAndValue() throws Exception {
    ObjectNode agent = shop();
    agent.put("kind", "OffloadAgent");
    JsonNode answer = post(review("u-2", "sluice.dev/v1alpha2", List.of(shop(), agent))).json();

    assertThat(answer.at("/response/uid").asText()).isEqualTo("u-2");
    assertThat(answer.at("/response/result/status").asText()).isEqualTo("Failure");
    assertThat(answer.at("/response/result/message").asText())
        .isEqualTo(
            "cannot convert OffloadAgent shop/shop from sluice.dev/v1alpha1 to"
                + " sluice.dev/v1alpha2: kind: \"OffloadAgent\" (expected: ProxyRoute)");
    assertThat(answer.at("/response/convertedObjects")).isEmpty();

    JsonNode unknown = post(review("u-3", "sluice.dev/v9", List.of(shop()))).json();
    assertThat(unknown.at("/response/result/message").asText())
        .endsWith(
            "desiredAPIVersion: \"sluice.dev/v9\" (expected: one of [sluice.dev/v1alpha1,"
                + " sluice.dev/v1alpha2])");
  }

  @Test
  void whatIsNoConversionReviewGets400SayingWhatWasExpected() throws Exception {
    assertThat(post("{not json")).satisfies(r -> assertThat(r.status()).isEqualTo(400));
    assertThat(post("{not json").text())
        .startsWith("body: not JSON (expected: a ConversionReview)");
    assertThat(
            post("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\"}").text())
        .isEqualTo("apiVersion: \"admission.k8s.io/v1\" (expected: \"apiextensions.k8s.io/v1\")\n");
    assertThat(
            post("{\"apiVersion\": \"apiextensions.k8s.io/v1\", \"kind\": \"ConversionReview\","
                    + " \"request\": {\"desiredAPIVersion\": \"sluice.dev/v1alpha2\","
                    + " \"objects\": []}}")
                .text())
        .isEqualTo("request.uid: absent (expected: the review's uid)\n");
    HttpResponse<String> get =
        tls.client()
            .send(
                HttpRequest.newBuilder(url()).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.body()).isEqualTo("GET /convert (expected: POST)\n");
  }

  static final String CHANGED =
      """
      apiVersion: sluice.dev/v1alpha1
      kind: ProxyRoute
      metadata: {name: api, namespace: shop, annotations: {team: api}}
      spec:
        selector: {matchLabels: {app: api}}
        listener: {port: 8080}
        hostnames: [api.example.com]
        rules:
          - matches: [{path: {type: Exact, value: /health}, methods: [GET]}]
            backend: {endpoints: ["10.1.0.7:9000"], protocol: h2c}
            timeouts: {request: 2s}
      status:
        observedGeneration: 3
      """;

  record Reply(int status, String text) {
    JsonNode json() throws Exception {
      assertThat(status).as(text).isEqualTo(200);
      return JSON.readTree(text);
    }
  }

  static Reply post(String body) throws Exception {
    HttpResponse<String> response =
        tls.client()
            .send(
                HttpRequest.newBuilder(url())
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.body());
  }

  static URI url() {
    return URI.create("https://localhost:" + server.address().getPort() + ConversionEndpoint.PATH);
  }

  static String review(String uid, String desired, List<ObjectNode> objects) {
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", "apiextensions.k8s.io/v1");
    review.put("kind", "ConversionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", uid);
    request.put("desiredAPIVersion", desired);
    ArrayNode list = request.putArray("objects");
    objects.forEach(list::add);
    return review.toString();
  }

  static ObjectNode shop() throws Exception {
    Path file =
        Path.of(System.getProperty("sluice.root", ".."))
            .resolve("examples/shop/proxyroute-shop.yaml");
    return admitted((ObjectNode) new YAMLMapper().readTree(file.toFile()));
  }

  static ObjectNode admitted(String yaml) {
    try {
      return admitted((ObjectNode) new YAMLMapper().readTree(yaml));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static ObjectNode admitted(ObjectNode object) {
    CrdValidator.Admission admission = SCHEMA.admit(object, null, false);
    assertThat(admission.errors()).isEmpty();
    return admission.object();
  }
}
