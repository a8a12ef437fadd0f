package dev.sluice.operator.configservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.testing.Objects;
import dev.sluice.operator.testing.OperatorHarness;
import dev.sluice.operator.testing.SimulatedSidecar;
import dev.sluice.sidecar.config.ContractFields;
import dev.sluice.sidecar.config.ContractRendering;
import dev.sluice.sidecar.config.ContractVersions;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
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
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The config service over real HTTPS against the mock API server: only a pod's own token gets its
 * config or records its reports; long-polls answer as soon as the assignment changes and 204 after
 * the hold; bad reports get 400 naming what was wrong; health reports land on the pod; each sidecar
 * gets the config as the contract it announced sees it (none: the oldest), and the pod records what
 * it announced.
 */
class ConfigServiceIT {
  static final String NS = "shop";

  EmbeddedKubernetes cluster;
  KubernetesClient client;
  OperatorHarness harness;
  HttpClient http;
  Pod web1;
  Pod web2;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new EmbeddedKubernetes();
    client = cluster.client();
    harness = new OperatorHarness(cluster, Clock.systemUTC());
    cluster.namespace(NS);
    client.resource(Objects.service(NS, "backend", 8080)).create();
    client.resource(Objects.endpoints(NS, "backend", 8080, List.of("10.1.0.1"))).create();
    web1 = client.resource(Objects.sidecarPod(NS, "web-1", Map.of("app", "web"))).create();
    web2 = client.resource(Objects.sidecarPod(NS, "web-2", Map.of("app", "web"))).create();
    harness.start();
    http = HttpClient.newBuilder().sslContext(harness.trust()).build();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
    cluster.close();
  }

  HttpResponse<String> get(String pod, String token, String known) throws Exception {
    return get(pod, token, known, null);
  }

  HttpResponse<String> get(String pod, String token, String known, String contract)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    harness.configServiceUrl() + "/v1/pods/shop/" + pod + "/config?known=" + known))
            .timeout(Duration.ofSeconds(30));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (contract != null) {
      request.header(ContractVersions.HEADER, contract);
    }
    return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String pod, String what, String token, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create(harness.configServiceUrl() + "/v1/pods/shop/" + pod + "/" + what))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  String token(Pod pod) {
    return cluster.issueToken(NS, pod.getMetadata().getName(), pod.getMetadata().getUid());
  }

  @Test
  void aSidecarPresentingAnotherPodsTokenIsRefused() throws Exception {
    String web2Token = token(web2);
    HttpResponse<String> refused = get("web-1", web2Token, "");
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body())
        .isEqualTo(
            "the token belongs to pod shop/web-2, not shop/web-1 (expected: each sidecar asks"
                + " for its own pod)\n");
    HttpResponse<String> report =
        post("web-1", "status", web2Token, "{\"revision\":\"x\",\"outcome\":\"Applied\"}");
    assertThat(report.statusCode()).isEqualTo(403);
    Pod after = client.pods().inNamespace(NS).withName("web-1").get();
    assertThat(after.getMetadata().getAnnotations()).doesNotContainKey(Labels.APPLIED_REVISION);

    // A simulated sidecar with the wrong token never gets a config.
    SimulatedSidecar impostor = harness.sidecar(NS, "web-1", web2Token, c -> false);
    client.resource(route()).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> impostor.statuses().size() >= 2);
    assertThat(impostor.statuses()).containsOnly(403);
    assertThat(impostor.applied()).isNull();
  }

  @Test
  void missingUnknownAndStaleTokensAreRefused() throws Exception {
    HttpResponse<String> none = get("web-1", null, "");
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.body()).startsWith("no bearer token (expected: Authorization: Bearer");
    HttpResponse<String> unknown = get("web-1", "not-a-token", "");
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(unknown.body()).isEqualTo("the token is not authenticated: token not recognized\n");
    String earlier = cluster.issueToken(NS, "web-1", "uid-of-an-earlier-web-1");
    HttpResponse<String> stale = get("web-1", earlier, "");
    assertThat(stale.statusCode()).isEqualTo(403);
    assertThat(stale.body())
        .startsWith("the token was issued for an earlier pod named shop/web-1 (uid uid-of-an");
    HttpResponse<String> path = get("web-1/x", token(web1), "");
    assertThat(path.statusCode()).isEqualTo(404);
  }

  @Test
  void aHeldPollAnswersWhenTheAssignmentChangesAndOtherwise204() throws Exception {
    String token = token(web1);
    // Nothing assigned (no route, and the operator has not run its first pass yet, or has and
    // assigned the idle config): whatever is assigned comes back at once for known="".
    HttpResponse<String> first = get("web-1", token, "");
    assertThat(first.statusCode()).isEqualTo(200);
    String idle = first.body().replaceAll("(?s).*\"revision\":\"([0-9a-f]+)\".*", "$1");
    // Known = current: held for the hold time, then 204.
    HttpResponse<String> held = get("web-1", token, idle);
    assertThat(held.statusCode()).isEqualTo(204);
    // A held poll is answered by a new assignment, not by the hold running out.
    CompletableFuture<HttpResponse<String>> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return get("web-1", token, idle);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    await().atMost(Duration.ofSeconds(5)).until(() -> harness.runtime().configService().held() > 0);
    client.resource(route()).create();
    HttpResponse<String> answered = waiting.get();
    assertThat(answered.statusCode()).isEqualTo(200);
    assertThat(answered.body()).contains("\"address\":\"0.0.0.0:8080\"").doesNotContain(idle);
  }

  @Test
  void badReportsAreRefusedWithWhatWasExpected() throws Exception {
    String token = token(web1);
    HttpResponse<String> garbage = post("web-1", "status", token, "not json");
    assertThat(garbage.statusCode()).isEqualTo(400);
    assertThat(garbage.body()).startsWith("invalid report: ");
    HttpResponse<String> partial = post("web-1", "status", token, "{\"revision\":\"abc\"}");
    assertThat(partial.statusCode()).isEqualTo(400);
    assertThat(partial.body())
        .isEqualTo(
            "invalid report: revision abc, outcome null (expected: both set; outcome Applied or"
                + " Rejected)\n");
    HttpResponse<String> health = post("web-1", "health", token, "{\"waf\": 3}");
    assertThat(health.statusCode()).isEqualTo(400);
    assertThat(health.body()).contains("expected: {\"<agent>\": {\"endpoints\": n");
  }

  @Test
  void reportsLandOnThePod() throws Exception {
    String token = token(web1);
    HttpResponse<String> rejected =
        post(
            "web-1",
            "status",
            token,
            "{\"revision\":\"r1\",\"outcome\":\"Rejected\",\"reason\":\"listener 0.0.0.0:8080:"
                + " address already in use\",\"problems\":[]}");
    assertThat(rejected.statusCode()).isEqualTo(204);
    HttpResponse<String> health =
        post("web-1", "health", token, "{\"waf\": {\"endpoints\": 2, \"available\": 1}}");
    assertThat(health.statusCode()).isEqualTo(204);
    Pod pod = client.pods().inNamespace(NS).withName("web-1").get();
    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry(Labels.REJECTED_REVISION, "r1")
        .containsEntry(Labels.REJECTED_REASON, "listener 0.0.0.0:8080: address already in use")
        .containsEntry(Labels.AGENT_HEALTH, "{\"waf\":{\"endpoints\":2,\"available\":1}}");
    assertThat(pod.getStatus().getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo(Labels.CONFIG_APPLIED_CONDITION);
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo("ConfigRejected");
              assertThat(c.getMessage())
                  .isEqualTo("Rejected revision r1: listener 0.0.0.0:8080: address already in use");
            })
        .anySatisfy(c -> assertThat(c.getType()).isEqualTo("Ready"));
  }

  String recordedContract(String pod) {
    return client
        .pods()
        .inNamespace(NS)
        .withName(pod)
        .get()
        .getMetadata()
        .getAnnotations()
        .get(Labels.CONTRACT);
  }

  @Test
  void eachSidecarGetsTheConfigAsTheContractItAnnouncedSeesIt() throws Exception {
    String token = token(web1);
    client.resource(route()).create();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> get("web-1", token, "", "2").body().contains("\"origin\""));
    String assigned =
        client
            .pods()
            .inNamespace(NS)
            .withName("web-1")
            .get()
            .getMetadata()
            .getAnnotations()
            .get(Labels.ASSIGNED_REVISION);
    SidecarConfig stored = new RevisionStore(client).load(NS, assigned).orElseThrow();

    HttpResponse<String> v2 = get("web-1", token, "", "2");
    assertThat(v2.body()).isEqualTo(SidecarConfigCodec.toJson(stored));
    assertThat(recordedContract("web-1")).isEqualTo("2");

    HttpResponse<String> v1 = get("web-1", token, "", "1");
    String contract1 =
        ((ContractRendering.Sendable) ContractFields.CURRENT.render(stored, 1)).json();
    assertThat(v1.body()).isEqualTo(contract1).doesNotContain("\"origin\"");
    assertThat(SidecarConfigCodec.readJson(v1.body(), "v1").revision()).isEqualTo(assigned);
    await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(recordedContract("web-1")));

    HttpResponse<String> none = get("web-1", token, "");
    assertThat(none.body())
        .as("a sidecar that says nothing speaks the oldest")
        .isEqualTo(contract1);

    HttpResponse<String> bad = get("web-1", token, "", "two");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body())
        .isEqualTo("Sluice-Contract: \"two\" (expected: a contract version, an integer from 1)\n");
  }

  static ProxyRoute route() {
    return Objects.route("web", "web", 8080, "[{backend: {service: {name: backend, port: 8080}}}]");
  }
}
