package dev.sluice.sidecar.reload;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.sluice.agent.AgentServer;
import dev.sluice.sidecar.config.ConfigDecoder;
import dev.sluice.sidecar.config.ContractFields;
import dev.sluice.sidecar.config.ContractVersions;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import dev.sluice.sidecar.testing.TestTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant: the sidecar follows the operator's config service over real HTTPS — it long-polls for
 * its pod's config with the revision it runs, applies what it gets, reports every outcome (ACK,
 * then ACK with drain figures; NACK with the reason), keeps running on a rejected config, and
 * presents the current projected token and the contract version it speaks each time; fields of a
 * newer operator it does not know are ignored and shown where safe, refused where not.
 */
class ConfigServiceIT {
  @TempDir Path dir;
  private HttpsServer service;
  private volatile String target;
  private volatile String targetRevision;
  private final List<SidecarReport> reports = new CopyOnWriteArrayList<>();
  private final List<String> tokens = new CopyOnWriteArrayList<>();
  private final List<String> knownRevisions = new CopyOnWriteArrayList<>();
  private final List<String> contracts = new CopyOnWriteArrayList<>();

  private final List<String> healthReports = new CopyOnWriteArrayList<>();

  /** Status posts to answer 503 (the operator restarting) before taking them again. */
  private volatile int refuseReports;

  private RecordingUpstream upstream;

  @BeforeEach
  void start() throws Exception {
    upstream = RecordingUpstream.http1();
    service = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    service.setHttpsConfigurator(new HttpsConfigurator(TestTls.jdkServer()));
    service.setExecutor(Executors.newCachedThreadPool());
    service.createContext("/v1/pods/shop/web-1/config", this::config);
    service.createContext("/v1/pods/shop/web-1/status", this::status);
    service.createContext(
        "/v1/pods/shop/web-1/health",
        exchange -> {
          healthReports.add(
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    service.start();
  }

  @AfterEach
  void stop() {
    service.stop(0);
    upstream.close();
  }

  private void config(HttpExchange exchange) throws IOException {
    contracts.add(String.valueOf(exchange.getRequestHeaders().getFirst(ContractVersions.HEADER)));
    tokens.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
    String query = exchange.getRequestURI().getQuery();
    String known = query == null ? "" : query.replace("known=", "");
    knownRevisions.add(known);
    if (target != null && !targetRevision.equals(known)) {
      byte[] body = target.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    } else {
      try {
        Thread.sleep(300); // scripted peer: the long-poll hold, short for the test
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.sendResponseHeaders(204, -1);
    }
    exchange.close();
  }

  private void status(HttpExchange exchange) throws IOException {
    contracts.add(String.valueOf(exchange.getRequestHeaders().getFirst(ContractVersions.HEADER)));
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    if (refuseReports > 0) {
      refuseReports--;
      exchange.sendResponseHeaders(503, -1);
      exchange.close();
      return;
    }
    try {
      reports.add(SidecarConfigCodec.readReport(body));
      exchange.sendResponseHeaders(204, -1);
    } catch (Exception e) {
      exchange.sendResponseHeaders(400, -1);
    }
    exchange.close();
  }

  private String yaml(String revision) {
    return """
        version: 1
        revision: %s
        admin: {address: 127.0.0.1:0}
        listeners: [{name: http, address: 127.0.0.1:0}]
        rules:
          - name: r
            listener: http
            upstream: {endpoints: [%s]}
        """
        .formatted(revision, upstream.address());
  }

  /** The first NACK the service received, once it did. */
  private SidecarReport firstRejection() {
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> reports.stream().anyMatch(r -> r.outcome() == SidecarReport.Outcome.Rejected));
    return reports.stream()
        .filter(r -> r.outcome() == SidecarReport.Outcome.Rejected)
        .findFirst()
        .orElseThrow();
  }

  private void offer(String revision, String json) {
    targetRevision = revision;
    target = json;
  }

  private URI base() {
    return URI.create(
        "https://localhost:" + service.getAddress().getPort() + "/v1/pods/shop/web-1");
  }

  @Test
  void followsTheServiceAndReportsEveryOutcome() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "token-a\n");
    try (RunningSidecar sidecar = new RunningSidecar(yaml("from-file"));
        ConfigServiceClient client =
            new ConfigServiceClient(base(), token, TestTls.certificateFile().toPath())
                .start(sidecar.sidecar(), () -> sidecar.sidecar().generation().revision())) {
      SidecarConfig next = SidecarConfigCodec.readYaml(yaml("svc-2"), "test");
      offer("svc-2", SidecarConfigCodec.toJson(next));
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sidecar.sidecar().generation().revision().equals("svc-2"));
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> reports.stream().anyMatch(r -> r.drain() != null));
      assertThat(reports.get(0).revision()).isEqualTo("svc-2");
      assertThat(reports.get(0).outcome()).isEqualTo(SidecarReport.Outcome.Applied);
      assertThat(knownRevisions).contains("from-file");

      // a rotated token is used from the next request on; a bad config is refused and reported
      Files.writeString(token, "token-b\n");
      offer(
          "svc-3",
          SidecarConfigCodec.toJson(SidecarConfigCodec.readYaml(yaml("svc-3"), "test"))
              .replace(upstream.address(), "10.0.0.1:70000"));
      SidecarReport nack = firstRejection();
      assertThat(nack.reason()).contains("rules[0].upstream.endpoints[0]").contains("70000");
      assertThat(sidecar.sidecar().generation().revision()).isEqualTo("svc-2");
      // The poll that brought svc-3 was sent before the rotation; the one after it carries the new
      // token (recorded when it arrives, which may be after the NACK did).
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> tokens.contains("Bearer token-b"));
      assertThat(tokens).contains("Bearer token-a");
      assertThat(contracts).isNotEmpty().containsOnly(String.valueOf(ContractVersions.CURRENT));
    }
  }

  private static String get(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** svc-2's JSON as an operator newer than this sidecar sends it: {@code extra} spliced in. */
  private String newer(String revision, String find, String extra) throws Exception {
    String json = SidecarConfigCodec.toJson(SidecarConfigCodec.readYaml(yaml(revision), "test"));
    assertThat(json).contains(find);
    return json.replace(find, find + extra);
  }

  @Test
  void fieldsOfANewerOperatorAreIgnoredAndShownWhereSafeAndRefusedWhereNot() throws Exception {
    try (RunningSidecar sidecar = new RunningSidecar(yaml("from-file"));
        ConfigServiceClient client =
            new ConfigServiceClient(base(), null, TestTls.certificateFile().toPath())
                .start(sidecar.sidecar(), () -> sidecar.sidecar().generation().revision())) {
      offer(
          "svc-2",
          newer("svc-2", "\"listener\":\"http\",", "\"mirror\":{\"to\":\"shadow\"},")
              .replace("\"version\":1,", "\"version\":1,\"provenance\":\"git\","));
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sidecar.sidecar().generation().revision().equals("svc-2"));
      assertThat(get(sidecar.adminUrl("/config")))
          .contains("\"ignoredFields\":[\"provenance\",\"rules[0].mirror\"]");
      assertThat(get(sidecar.adminUrl("/metrics"))).contains("sluice_config_ignored_fields 2.0");

      // An unknown field where it decides which requests a rule takes: refused, and reported.
      offer(
          "svc-3",
          newer("svc-3", "\"listener\":\"http\",", "\"matches\":[{\"sourceCidr\":\"10.0.0.0/8\"}],")
              .replace(",\"matches\":[]", ""));
      SidecarReport nack = firstRejection();
      assertThat(nack.revision()).isEqualTo("svc-3");
      assertThat(nack.reason())
          .contains("rules[0].matches[0].sourceCidr: unknown field")
          .contains("this sidecar speaks contract " + ContractVersions.CURRENT);
      assertThat(sidecar.sidecar().generation().revision()).isEqualTo("svc-2");
    }
  }

  @Test
  void aSidecarSpeakingAnOlderContractAnnouncesItAndIgnoresTheNewerFields() throws Exception {
    ConfigDecoder v1 = new ConfigDecoder(1, ContractFields.CURRENT);
    offer(
        "v2",
        newer("v2", "\"version\":1,", "")
            .replace(
                "\"agents\":[]", "\"agents\":[],\"origin\":{\"proxyRoutes\":[\"shop/shop\"]}"));
    assertThat(target).contains("\"origin\"");
    ConfigServiceClient client =
        new ConfigServiceClient(base(), null, TestTls.certificateFile().toPath(), v1);
    SidecarConfig first = client.first(Duration.ofSeconds(10));
    assertThat(first.revision()).isEqualTo("v2");
    assertThat(first.origin()).isNull();
    assertThat(contracts).containsExactly("1");
    try (RunningSidecar sidecar = new RunningSidecar(SidecarConfigCodec.toYaml(first));
        ConfigServiceClient following =
            client.start(sidecar.sidecar(), () -> sidecar.sidecar().generation().revision())) {
      assertThat(sidecar.sidecar().ignoredFields()).containsExactly("origin");
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> reports.stream().anyMatch(r -> r.revision().equals("v2")));
      assertThat(contracts).containsOnly("1");
    }
  }

  @Test
  void offloadAgentHealthIsReportedWhenItChanges() throws Exception {
    try (AgentServer agent =
            AgentServer.builder(n -> CompletableFuture.completedFuture(List.of()))
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .start();
        java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
      int down = closed.getLocalPort();
      closed.close();
      String config =
          yaml("with-agent")
              + """
              agents:
                - name: waf
                  endpoints: [127.0.0.1:%d, 127.0.0.1:%d]
                  timeouts: {hello: 1s, idle: 30s, processing: 300ms}
                  messages: [{name: check, args: [{name: ip, value: src}]}]
              """
                  .formatted(agent.localAddress().getPort(), down);
      try (RunningSidecar sidecar = new RunningSidecar(config);
          ConfigServiceClient client =
              new ConfigServiceClient(base(), null, TestTls.certificateFile().toPath())
                  .start(sidecar.sidecar(), () -> sidecar.sidecar().generation().revision())) {
        Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> healthReports.contains("{\"waf\":{\"endpoints\":2,\"available\":1}}"));
        // Unchanged health is not posted again...
        int posted = healthReports.size();
        Awaitility.await()
            .during(ConfigServiceClient.HEALTH_EVERY.multipliedBy(2).plusMillis(500))
            .atMost(Duration.ofSeconds(10))
            .until(() -> healthReports.size() == posted);
        // ... while the reporting goes on: a change is posted.
        agent.close();
        Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> healthReports.contains("{\"waf\":{\"endpoints\":2,\"available\":0}}"));
        assertThat(healthReports).hasSize(posted + 1);
      }
    }
  }

  @Test
  void aChangedCaFileIsTrustedWithoutARestart() throws Exception {
    // The sidecar starts trusting another CA (as after the operator rotated its CA), then the
    // mounted bundle changes to include the one the service's certificate is signed by.
    io.netty.handler.ssl.util.SelfSignedCertificate other =
        new io.netty.handler.ssl.util.SelfSignedCertificate("someone-else");
    Path ca = Files.copy(other.certificate().toPath(), dir.resolve("ca.crt"));
    try (RunningSidecar sidecar = new RunningSidecar(yaml("from-file"));
        ConfigServiceClient client =
            new ConfigServiceClient(base(), null, ca)
                .start(sidecar.sidecar(), () -> sidecar.sidecar().generation().revision())) {
      offer("svc-2", SidecarConfigCodec.toJson(SidecarConfigCodec.readYaml(yaml("svc-2"), "test")));
      Awaitility.await()
          .alias("an untrusted service is not followed")
          .during(Duration.ofMillis(1500))
          .atMost(Duration.ofSeconds(5))
          .until(() -> sidecar.sidecar().generation().revision().equals("from-file"));
      Files.writeString(
          ca,
          Files.readString(other.certificate().toPath())
              + Files.readString(TestTls.certificateFile().toPath()));
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> sidecar.sidecar().generation().revision().equals("svc-2"));
    }
  }

  @Test
  void theConfigItStartedWithIsReportedApplied() throws Exception {
    // A managed sidecar fetches its first config, starts with it, then follows the service: the
    // operator must hear that the first config is applied, or its rollout waits for this pod.
    offer("svc-1", SidecarConfigCodec.toJson(SidecarConfigCodec.readYaml(yaml("svc-1"), "test")));
    ConfigServiceClient client =
        new ConfigServiceClient(base(), null, TestTls.certificateFile().toPath());
    SidecarConfig first = client.first(Duration.ofSeconds(10));
    try (RunningSidecar sidecar = new RunningSidecar(SidecarConfigCodec.toYaml(first));
        ConfigServiceClient following =
            client.start(sidecar.sidecar(), () -> sidecar.sidecar().generation().revision())) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> reports.stream().anyMatch(r -> r.revision().equals("svc-1")));
      assertThat(reports.get(0).outcome()).isEqualTo(SidecarReport.Outcome.Applied);
      assertThat(following).isSameAs(client);
    }
  }

  @Test
  void aReportTheServiceCouldNotTakeIsDeliveredLater() throws Exception {
    refuseReports = 2;
    try (RunningSidecar sidecar = new RunningSidecar(yaml("from-file"));
        ConfigServiceClient client =
            new ConfigServiceClient(base(), null, TestTls.certificateFile().toPath())
                .start(sidecar.sidecar(), () -> sidecar.sidecar().generation().revision())) {
      offer("svc-2", SidecarConfigCodec.toJson(SidecarConfigCodec.readYaml(yaml("svc-2"), "test")));
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> reports.stream().anyMatch(r -> r.revision().equals("svc-2")));
      assertThat(refuseReports).isZero();
      assertThat(reports.get(0).outcome()).isEqualTo(SidecarReport.Outcome.Applied);
      assertThat(sidecar.sidecar().generation().revision()).isEqualTo("svc-2");
    }
  }

  @Test
  void theLastAppliedConfigIsCachedForARestartWhileTheServiceIsDown() throws Exception {
    Path cache = dir.resolve("last-applied.json");
    try (RunningSidecar sidecar = new RunningSidecar(yaml("from-file"));
        ConfigServiceClient client =
            new ConfigServiceClient(base(), null, TestTls.certificateFile().toPath())
                .cacheIn(cache)
                .start(sidecar.sidecar(), () -> sidecar.sidecar().generation().revision())) {
      offer("cached", SidecarConfigCodec.toJson(SidecarConfigCodec.readYaml(yaml("cached"), "t")));
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> Files.exists(cache) && Files.readString(cache).contains("\"cached\""));
    }
    service.stop(0);
    ConfigServiceClient restarted =
        new ConfigServiceClient(base(), null, TestTls.certificateFile().toPath()).cacheIn(cache);
    assertThat(restarted.first(Duration.ofSeconds(2)).revision()).isEqualTo("cached");
    ConfigServiceClient uncached =
        new ConfigServiceClient(base(), null, TestTls.certificateFile().toPath());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> uncached.first(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no config from " + base());
  }

  @Test
  void aSidecarWithoutAConfigFileGetsItsFirstOne() throws Exception {
    offer("first", SidecarConfigCodec.toJson(SidecarConfigCodec.readYaml(yaml("first"), "t")));
    ConfigServiceClient client =
        new ConfigServiceClient(base(), null, TestTls.certificateFile().toPath());
    SidecarConfig first = client.first(Duration.ofSeconds(10));
    assertThat(first.revision()).isEqualTo("first");
    assertThat(knownRevisions).containsExactly("");
  }
}
