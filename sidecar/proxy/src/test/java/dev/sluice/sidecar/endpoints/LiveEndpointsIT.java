package dev.sluice.sidecar.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.ClusterEndpoints;
import dev.sluice.sidecar.config.Endpoint;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Invariant: endpoints change under traffic without a reload — a killed endpoint costs no GET, new
 * endpoints take traffic at once, removed ones get none (their in-flight requests finish, their
 * idle connections close), terminating ones serve only while nothing is ready, and an unknown
 * cluster is a 503 naming it until its endpoints arrive; for HTTP/1.1 and h2c upstreams.
 */
class LiveEndpointsIT {
  private static final String CLUSTER = "shop/web:80";
  private final List<NamedUpstream> upstreams = new ArrayList<>();

  /** The 200 concurrent clients, each blocking in its own thread (the client has its own pool). */
  private final ExecutorService executor = Executors.newFixedThreadPool(200);

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private RunningSidecar sidecar;

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.close();
    }
    upstreams.forEach(NamedUpstream::close);
    executor.shutdownNow();
  }

  private void start(String protocol) throws Exception {
    sidecar =
        new RunningSidecar(
            """
            version: 1
            admin: {address: 127.0.0.1:0}
            listeners: [{name: http, address: 127.0.0.1:0}]
            rules:
              - name: r
                listener: http
                upstream: {protocol: %s, cluster: "%s", loadBalancer: RoundRobin}
                timeouts: {connect: 2s}
            """
                .formatted(protocol, CLUSTER));
  }

  private NamedUpstream upstream(String name, String protocol) {
    NamedUpstream upstream = new NamedUpstream(name, protocol.equals("h2c"));
    upstreams.add(upstream);
    return upstream;
  }

  private void apply(Endpoint... endpoints) {
    sidecar
        .sidecar()
        .endpoints()
        .apply(new ClusterEndpoints(null, Map.of(CLUSTER, List.of(endpoints))));
  }

  private static Endpoint ready(NamedUpstream upstream) {
    return Endpoint.ready(upstream.address());
  }

  private static Endpoint terminating(NamedUpstream upstream) {
    return new Endpoint(upstream.address(), false, true, true, 1, null);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(sidecar.url(path)))
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Who answered {@code n} GETs, by body. */
  private Map<String, Integer> served(int n) throws Exception {
    Map<String, Integer> by = new HashMap<>();
    for (int i = 0; i < n; i++) {
      HttpResponse<String> response = get("/");
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      by.merge(response.body(), 1, Integer::sum);
    }
    return by;
  }

  @ParameterizedTest
  @ValueSource(strings = {"http1", "h2c"})
  void anEndpointKilledHardCostsOnlyTheRequestsInFlightOnIt(String protocol) throws Exception {
    start(protocol);
    NamedUpstream a = upstream("a", protocol);
    NamedUpstream b = upstream("b", protocol);
    NamedUpstream c = upstream("c", protocol);
    apply(ready(a), ready(b), ready(c));
    served(6); // every endpoint has a connection on some loop

    AtomicInteger done = new AtomicInteger();
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      all.add(
          CompletableFuture.supplyAsync(
              () -> {
                HttpResponse<String> last = null;
                for (int j = 0; j < 5; j++) {
                  try {
                    last = get("/");
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                  if (done.incrementAndGet() == 300) {
                    // Killed mid-traffic, its endpoint still listed: the sidecar learns only by
                    // failing to reach it. What it had received and not answered is lost.
                    b.kill();
                  }
                  if (last.statusCode() != 200) {
                    return last;
                  }
                }
                return last;
              },
              executor));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
    List<HttpResponse<String>> failed =
        all.stream().map(CompletableFuture::join).filter(r -> r.statusCode() != 200).toList();
    // Nothing fails: a connection attempt to the dead endpoint is refused and tried on another
    // one (no 503), and a GET already written to one of its connections is tried once more
    // elsewhere (the default retry policy; RetryIT covers bodies and the policies).
    assertThat(failed).isEmpty();
    String metrics = sidecar.sidecar().metrics().registry().scrape();
    assertThat(metrics).doesNotContain("kind=\"connect\"").doesNotContain("kind=\"no_endpoint\"");
    assertThat(served(30)).containsOnlyKeys("a", "c");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http1", "h2c"})
  void addedEndpointsServeAtOnceAndRemovedOnesFinishAndLetGo(String protocol) throws Exception {
    start(protocol);
    NamedUpstream a = upstream("a", protocol);
    NamedUpstream b = upstream("b", protocol);
    apply(ready(a));
    assertThat(served(4)).containsOnlyKeys("a");

    apply(ready(a), ready(b));
    assertThat(served(10)).containsEntry("a", 5).containsEntry("b", 5);

    a.hold();
    CompletableFuture<HttpResponse<String>> held =
        client.sendAsync(
            HttpRequest.newBuilder(URI.create(sidecar.url("/hold"))).build(),
            HttpResponse.BodyHandlers.ofString());
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> a.unanswered() == 1);
    apply(ready(b));
    int before = a.received();
    assertThat(served(20)).containsOnlyKeys("b");
    assertThat(a.received()).as("no new request to the removed endpoint").isEqualTo(before);
    a.release();
    HttpResponse<String> finished = held.get();
    assertThat(finished.statusCode()).as("in flight on it: finishes").isEqualTo(200);
    assertThat(finished.body()).isEqualTo("a");
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(a.openConnections()).as("idle ones closed").isZero());
  }

  @ParameterizedTest
  @ValueSource(strings = {"http1", "h2c"})
  void terminatingEndpointsServeOnlyWhileNoneIsReady(String protocol) throws Exception {
    start(protocol);
    NamedUpstream a = upstream("a", protocol);
    NamedUpstream b = upstream("b", protocol);
    apply(terminating(a), ready(b));
    assertThat(served(10)).containsOnlyKeys("b");
    apply(terminating(a), new Endpoint(b.address(), false, false, false, 1, null));
    assertThat(served(10)).containsOnlyKeys("a");
    apply(terminating(a), ready(b));
    assertThat(served(10)).containsOnlyKeys("b");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http1", "h2c"})
  void anUnknownClusterIs503NamingItUntilItsEndpointsArrive(String protocol) throws Exception {
    start(protocol);
    NamedUpstream a = upstream("a", protocol);
    HttpResponse<String> unknown = get("/");
    assertThat(unknown.statusCode()).isEqualTo(503);
    assertThat(unknown.body()).contains("cluster " + CLUSTER + " is not known yet");

    sidecar.sidecar().endpoints().apply(new ClusterEndpoints(null, Map.of(CLUSTER, List.of())));
    HttpResponse<String> empty = get("/");
    assertThat(empty.statusCode()).isEqualTo(503);
    assertThat(empty.body()).contains("cluster " + CLUSTER + " has no endpoint");

    apply(ready(a));
    assertThat(served(3)).containsOnlyKeys("a");
    assertThat(sidecar.sidecar().metrics().registry().scrape())
        .contains("sluice_upstream_errors_total{kind=\"no_endpoint\",rule=\"r\"} 2.0");
  }
}
