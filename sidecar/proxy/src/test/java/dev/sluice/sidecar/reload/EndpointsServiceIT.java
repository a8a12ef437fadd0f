package dev.sluice.sidecar.reload;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.sluice.sidecar.config.ClusterEndpoints;
import dev.sluice.sidecar.config.Endpoint;
import dev.sluice.sidecar.config.EndpointsReport;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.runtime.Generation;
import dev.sluice.sidecar.testing.NamedUpstream;
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
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant: endpoints from the config service (over real HTTPS, with the pod's token, a long-poll
 * that honours {@code known=}) are applied without a reload — same generation, no drain — and ACKed
 * with their version; an invalid document is NACKed with the reason and the endpoints in force
 * stay; the last applied document is cached and used at a restart that cannot reach the service.
 */
class EndpointsServiceIT {
  private static final String CLUSTER = "shop/web:80";
  @TempDir Path dir;
  private HttpsServer service;
  private volatile String document;
  private volatile String documentVersion = "";
  private final List<EndpointsReport> reports = new CopyOnWriteArrayList<>();
  private final List<String> known = new CopyOnWriteArrayList<>();
  private NamedUpstream a;
  private NamedUpstream b;

  @BeforeEach
  void start() throws Exception {
    a = new NamedUpstream("a", false);
    b = new NamedUpstream("b", false);
    service = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    service.setHttpsConfigurator(new HttpsConfigurator(TestTls.jdkServer()));
    service.setExecutor(Executors.newCachedThreadPool());
    service.createContext("/v1/pods/shop/web-1/endpoints", this::endpoints);
    service.start();
  }

  @AfterEach
  void stop() {
    service.stop(0);
    a.close();
    b.close();
  }

  /** As strict as the operator: the token is required, {@code known=} current is held then 204. */
  private void endpoints(HttpExchange exchange) throws IOException {
    if (!"Bearer token-a".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
      exchange.sendResponseHeaders(401, -1);
      exchange.close();
      return;
    }
    if (exchange.getRequestURI().getPath().endsWith("/status")) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      try {
        reports.add(SidecarConfigCodec.readEndpointsReport(body));
        exchange.sendResponseHeaders(204, -1);
      } catch (Exception e) {
        exchange.sendResponseHeaders(400, -1);
      }
      exchange.close();
      return;
    }
    String query = exchange.getRequestURI().getQuery();
    String asked = query == null ? "" : query.replace("known=", "");
    known.add(asked);
    String offered = document;
    if (offered != null && !documentVersion.equals(asked)) {
      byte[] body = offered.getBytes(StandardCharsets.UTF_8);
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

  private void offer(NamedUpstream... upstreams) {
    ClusterEndpoints next =
        new ClusterEndpoints(
            null,
            Map.of(
                CLUSTER,
                java.util.Arrays.stream(upstreams).map(u -> Endpoint.ready(u.address())).toList()));
    String json = SidecarConfigCodec.toJson(next);
    ClusterEndpoints read = readQuietly(json);
    documentVersion = read.version();
    document = json;
  }

  private static ClusterEndpoints readQuietly(String json) {
    try {
      return SidecarConfigCodec.readEndpoints(json, "test");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private URI base() {
    return URI.create(
        "https://localhost:" + service.getAddress().getPort() + "/v1/pods/shop/web-1");
  }

  private static String yaml() {
    return """
        version: 1
        revision: fixed
        admin: {address: 127.0.0.1:0}
        listeners: [{name: http, address: 127.0.0.1:0}]
        rules:
          - name: r
            listener: http
            upstream: {protocol: http1, cluster: "%s"}
        """
        .formatted(CLUSTER);
  }

  private static String get(RunningSidecar sidecar) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(sidecar.url("/"))).build(),
                HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }

  private EndpointsClient client(RunningSidecar sidecar, Path token, Path cache) throws Exception {
    ConfigServiceClient config =
        new ConfigServiceClient(base(), token, TestTls.certificateFile().toPath());
    return new EndpointsClient(
        config, sidecar.sidecar().endpoints(), sidecar.sidecar().metrics(), cache);
  }

  @Test
  void appliedWithoutAReloadAckedRejectedKeptAndCached() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "token-a\n");
    Path cache = dir.resolve("config.json");
    offer(a);
    try (RunningSidecar sidecar = new RunningSidecar(yaml());
        EndpointsClient client = client(sidecar, token, cache)) {
      Generation generation = sidecar.sidecar().generation();
      assertThat(client.first(Duration.ofSeconds(10))).isTrue();
      client.start();
      assertThat(get(sidecar)).isEqualTo("200 a");

      offer(b);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> get(sidecar).equals("200 b"));
      assertThat(sidecar.sidecar().generation()).as("no reload").isSameAs(generation);
      assertThat(sidecar.sidecar().lastReport().outcome()).isEqualTo(SidecarReport.Outcome.Applied);
      assertThat(sidecar.sidecar().metrics().registry().scrape())
          .doesNotContain("sluice_reloads_total{outcome=\"applied\"}")
          .contains("sluice_endpoint_updates_total{outcome=\"applied\"} 2.0")
          .contains("sluice_upstream_endpoints{cluster=\"" + CLUSTER + "\",state=\"ready\"} 1.0");
      String applied = documentVersion;
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> reports.contains(EndpointsReport.applied(applied)));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> known.contains(applied));

      // an invalid document: NACKed with the reason, the endpoints in force stay
      documentVersion = "bad-1";
      document =
          "{\"version\":\"bad-1\",\"clusters\":{\"" + CLUSTER + "\":[{\"address\":\"x:0\"}]}}";
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> reports.stream().anyMatch(r -> r.version().equals("bad-1")));
      EndpointsReport nack =
          reports.stream().filter(r -> r.version().equals("bad-1")).findFirst().orElseThrow();
      assertThat(nack.outcome()).isEqualTo(SidecarReport.Outcome.Rejected);
      assertThat(nack.reason()).contains("address").contains("x:0");
      assertThat(sidecar.sidecar().endpoints().version()).isEqualTo(applied);
      assertThat(get(sidecar)).isEqualTo("200 b");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> known.contains("bad-1"));
      assertThat(Files.readString(dir.resolve("config.json.endpoints.json"))).contains(b.address());
    }

    // a restart that cannot reach the service starts with the cached endpoints
    service.stop(0);
    try (RunningSidecar sidecar = new RunningSidecar(yaml());
        EndpointsClient client = client(sidecar, token, cache)) {
      assertThat(client.first(Duration.ofMillis(500))).isTrue();
      assertThat(get(sidecar)).isEqualTo("200 b");
    }
  }
}
