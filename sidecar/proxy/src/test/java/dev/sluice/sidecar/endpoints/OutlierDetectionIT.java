package dev.sluice.sidecar.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sidecar.accesslog.CapturedAccessLog;
import dev.sluice.sidecar.config.ClusterEndpoints;
import dev.sluice.sidecar.config.Endpoint;
import dev.sluice.sidecar.testing.LogCapture;
import dev.sluice.sidecar.testing.NamedUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Invariant: an endpoint that keeps answering 503, or refuses connections, is ejected after its
 * failures in a row and gets no request while ejected (the others serve everything), shows as
 * ejected on /metrics and /config, and takes requests again when its ejection time is up; for
 * HTTP/1.1 and h2c upstreams.
 */
class OutlierDetectionIT {
  private static final String CLUSTER = "shop/web:80";
  private static final String EJECTED_GAUGE =
      "sluice_upstream_endpoints{cluster=\"" + CLUSTER + "\",state=\"ejected\"} ";
  private final List<NamedUpstream> upstreams = new ArrayList<>();
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final CapturedAccessLog accessLog = new CapturedAccessLog();
  private RunningSidecar sidecar;

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.close();
    }
    upstreams.forEach(NamedUpstream::close);
  }

  /** Three endpoints a, b, c of one cluster, balanced round robin, 3 failures eject for 8s. */
  private List<NamedUpstream> start(String protocol) throws Exception {
    sidecar =
        new RunningSidecar(
            """
            version: 1
            admin: {address: 127.0.0.1:0}
            listeners: [{name: http, address: 127.0.0.1:0}]
            rules:
              - name: r
                listener: http
                upstream:
                  protocol: %s
                  cluster: "%s"
                  loadBalancer: RoundRobin
                  outlierDetection: {consecutiveFailures: 3, baseEjectionTime: 8s}
                timeouts: {connect: 2s}
            """
                .formatted(protocol, CLUSTER),
            accessLog.output());
    for (String name : List.of("a", "b", "c")) {
      upstreams.add(new NamedUpstream(name, protocol.equals("h2c")));
    }
    List<Endpoint> endpoints = upstreams.stream().map(u -> Endpoint.ready(u.address())).toList();
    sidecar.sidecar().endpoints().apply(new ClusterEndpoints(null, Map.of(CLUSTER, endpoints)));
    return upstreams;
  }

  private HttpResponse<String> get(String url) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Who answered {@code n} GETs, by body and status. */
  private Map<String, Integer> answers(int n) throws Exception {
    Map<String, Integer> by = new HashMap<>();
    for (int i = 0; i < n; i++) {
      HttpResponse<String> response = get(sidecar.url("/"));
      by.merge(response.body() + " " + response.statusCode(), 1, Integer::sum);
    }
    return by;
  }

  private String metrics() {
    return sidecar.sidecar().metrics().registry().scrape();
  }

  /** The /config view of endpoint {@code address} of the one upstream. */
  private JsonNode configOf(NamedUpstream upstream) throws Exception {
    JsonNode config = new ObjectMapper().readTree(get(sidecar.adminUrl("/config")).body());
    for (JsonNode endpoint : config.at("/endpoints/upstreams/0/endpoints")) {
      if (endpoint.path("address").asText().equals(upstream.address())) {
        return endpoint;
      }
    }
    throw new AssertionError(upstream.address() + " not on /config: " + config);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http1", "h2c"})
  void anEndpointAnswering503IsEjectedForItsTimeThenTriedAgain(String protocol) throws Exception {
    List<NamedUpstream> all = start(protocol);
    NamedUpstream b = all.get(1);
    b.answerWith(503);
    try (LogCapture log = new LogCapture(OutlierDetector.class, Level.INFO)) {
      // Round robin: every third request goes to b, so its third 503 comes within nine.
      assertThat(answers(9)).containsOnlyKeys("a 200", "b 503", "c 200").containsEntry("b 503", 3);
      List<JsonNode> lines = accessLog.lines(9);
      assertThat(
              lines.stream()
                  .filter(l -> l.get("upstream").asText().equals(b.address()))
                  .map(l -> l.get("status").asInt() + " " + l.get("upstream_ejected").asBoolean()))
          .as("the access log says which 503 ejected b")
          .containsExactly("503 false", "503 false", "503 true");
      assertThat(lines)
          .filteredOn(l -> !l.get("upstream").asText().equals(b.address()))
          .extracting(l -> l.get("upstream_ejected").asBoolean())
          .containsOnly(false);
      assertThat(log.lines(OutlierDetector.class, Level.INFO))
          .containsExactly(
              CLUSTER
                  + ": endpoint "
                  + b.address()
                  + " ejected for 8s after 3 failures in a row (ejection 1; 1 of 3 serving"
                  + " endpoints ejected)");

      int before = b.received();
      assertThat(answers(30)).containsOnlyKeys("a 200", "c 200");
      JsonNode ejected = configOf(b);
      assertThat(ejected.path("ejectedForMillis").asLong())
          .as("still ejected after the 30 requests: the window they were sent in")
          .isPositive();
      assertThat(b.received()).as("no request while ejected").isEqualTo(before);
      assertThat(ejected.path("eligible").asBoolean()).isTrue(); // ready, by its conditions
      assertThat(metrics())
          .contains(EJECTED_GAUGE + "1.0")
          .contains(
              "sluice_upstream_ejections_total{cluster=\""
                  + CLUSTER
                  + "\",outcome=\"ejected\"} 1.0");

      b.answerWith(200);
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> get(sidecar.url("/")).body().equals("b"));
      assertThat(configOf(b).has("ejectedForMillis")).isFalse();
      assertThat(metrics())
          .contains(EJECTED_GAUGE + "0.0")
          .contains("sluice_upstream_ejection_returns_total{cluster=\"" + CLUSTER + "\"} 1.0");
      assertThat(log.lines(OutlierDetector.class, Level.INFO))
          .contains(
              CLUSTER + ": endpoint " + b.address() + " returns to service (ejection 1 is over)");
    }
  }

  @Test
  void anEndpointRefusingConnectionsIsEjectedAndCostsNoRequest() throws Exception {
    List<NamedUpstream> all = start("http1");
    NamedUpstream b = all.get(1);
    b.kill();
    // A refused connection is tried on another endpoint: every request is answered.
    assertThat(answers(12)).containsOnlyKeys("a 200", "c 200");
    assertThat(metrics())
        .contains(EJECTED_GAUGE + "1.0")
        .contains("kind=\"connect_retried\",rule=\"r\"} 3.0");
    assertThat(answers(12)).containsOnlyKeys("a 200", "c 200");
    assertThat(metrics())
        .as("ejected: no more connection attempts to it")
        .contains("kind=\"connect_retried\",rule=\"r\"} 3.0");
  }
}
