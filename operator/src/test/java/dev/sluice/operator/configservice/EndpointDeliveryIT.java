package dev.sluice.operator.configservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.testing.Objects;
import dev.sluice.operator.testing.OperatorHarness;
import dev.sluice.operator.testing.SimulatedEndpoints;
import dev.sluice.operator.testing.Slices;
import dev.sluice.sidecar.config.Endpoint;
import dev.sluice.sidecar.config.RouteRule;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Endpoints outside the rollout, on the mock API server with {@code --live-endpoints}: an
 * EndpointSlice change reaches every sidecar's endpoint poll at once — the pod a stalled rollout
 * waits on and the pods it has not reached alike — and changes no revision, no pod annotation and
 * no condition; each pod's document holds exactly the clusters of the revisions it runs and is
 * assigned (its rules' and its offload agents'), with the endpoints and conditions its Service's
 * slices give.
 */
class EndpointDeliveryIT {
  static final String NS = "shop";
  static final String WEB = "shop/web:http";
  static final String API = "shop/api:http";
  static final String WAF = "shop/waf:http";
  static final Duration BOUND = Duration.ofSeconds(10);

  EmbeddedKubernetes cluster;
  KubernetesClient client;
  OperatorHarness harness;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new EmbeddedKubernetes();
    client = cluster.client();
    harness =
        new OperatorHarness(
            cluster, Clock.systemUTC(), cluster.client(), s -> s.withLiveEndpoints(true));
    cluster.namespace(NS);
    client.resource(Objects.service(NS, "web", 80)).create();
    client.resource(Objects.service(NS, "api", 80)).create();
    client.resource(webSlice("10.1.0.1", "10.1.0.2")).create();
    client
        .resource(
            Slices.of(NS, "api-v4", "api", "IPv4").port("http", 9000).ready("10.2.0.1").build())
        .create();
    harness.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
    cluster.close();
  }

  static EndpointSlice webSlice(String... ready) {
    return slice("web", 8080, ready);
  }

  /** The IPv4 slice of {@code service}: {@code ready} addresses on port http, {@code port}. */
  static EndpointSlice slice(String service, int port, String... ready) {
    Slices slice = Slices.of(NS, service + "-v4", service, "IPv4").port("http", port);
    for (String address : ready) {
      slice.ready(address);
    }
    return slice.build();
  }

  static String route(String rules) {
    return """
        apiVersion: sluice.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: web, namespace: shop}
        spec:
          selector: {matchLabels: {app: web}}
          listener: {port: 8080}
          rules: %s
          rollout: {batchSize: 1}
        """
        .formatted(rules);
  }

  static final String WEB_ONLY =
      """

            - name: all
              backend: {service: {name: web, port: 80}}
      """;

  static final String WEB_AND_API =
      """

            - name: api
              matches: [{path: {type: Prefix, value: /api}}]
              backend: {service: {name: api, port: 80}}
            - name: all
              backend: {service: {name: web, port: 80}}
      """;

  static boolean namesApi(SidecarConfig config) {
    return config.rules().stream().map(RouteRule::upstream).anyMatch(u -> API.equals(u.cluster()));
  }

  List<Pod> pods(int n) {
    List<Pod> pods = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      pods.add(
          client
              .resource(Objects.sidecarPod(NS, "web-%d".formatted(i), Map.of("app", "web")))
              .create());
    }
    return pods;
  }

  ProxyRoute route() {
    return client.resources(ProxyRoute.class).inNamespace(NS).withName("web").get();
  }

  /** True once the route's rollout counts {@code n} ready pods. */
  boolean readyPods(int n) {
    ProxyRoute route = route();
    return route != null
        && route.getStatus() != null
        && route.getStatus().rollout() != null
        && route.getStatus().rollout().readyPods() == n;
  }

  Map<String, Map<String, String>> annotations() {
    Map<String, Map<String, String>> all = new LinkedHashMap<>();
    client
        .pods()
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(p -> all.put(p.getMetadata().getName(), p.getMetadata().getAnnotations()));
    return all;
  }

  static List<String> addresses(SimulatedEndpoints sidecar, String cluster) {
    List<Endpoint> endpoints = sidecar.clusters().get(cluster);
    return endpoints == null ? null : endpoints.stream().map(Endpoint::address).toList();
  }

  double reconciles() {
    return registry()
        .find("sluice_operator_reconciles")
        .tag("kind", "ProxyRoute")
        .counters()
        .stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  MeterRegistry registry() {
    return harness.runtime().metrics().registry();
  }

  @Test
  void aSliceChangeReachesEverySidecarAtOnceWhileARolloutWaitsOnAStalledPod() throws Exception {
    List<Pod> pods = pods(4);
    List<SimulatedEndpoints> endpoints = new ArrayList<>();
    for (Pod pod : pods) {
      if (pod.getMetadata().getName().equals("web-1")) {
        harness.stalledSidecar(pod, EndpointDeliveryIT::namesApi);
      } else {
        harness.sidecar(pod, c -> false);
      }
      endpoints.add(harness.endpoints(pod));
    }
    client.resource(Objects.route(route(WEB_ONLY))).create();
    await("every sidecar runs the first revision and knows web's endpoints")
        .atMost(BOUND)
        .until(
            () ->
                readyPods(4)
                    && endpoints.stream()
                        .allMatch(
                            e ->
                                List.of("10.1.0.1:8080", "10.1.0.2:8080")
                                    .equals(addresses(e, WEB))));
    String first = route().getStatus().revision();

    // A config change that web-1 (first in the batch of 1) takes and never applies.
    ProxyRoute edited = Objects.route(route(WEB_AND_API));
    edited.getMetadata().setResourceVersion(route().getMetadata().getResourceVersion());
    client.resource(edited).update();
    await("the rollout waits on web-1")
        .atMost(BOUND)
        .until(
            () -> {
              Map<String, String> a = annotations().get("web-1");
              return a != null
                  && a.get(Labels.ASSIGNED_REVISION) != null
                  && !a.get(Labels.ASSIGNED_REVISION).equals(first)
                  && route().getStatus().revision() != null
                  && !route().getStatus().revision().equals(first);
            });
    await("web-1 follows the clusters of both revisions, the others of the one they run")
        .atMost(BOUND)
        .until(() -> endpoints.get(0).clusters().keySet().equals(Set.of(WEB, API)));
    assertThat(endpoints.subList(1, 4)).allMatch(e -> e.clusters().keySet().equals(Set.of(WEB)));
    ProxyRoute before = route();
    Map<String, Map<String, String>> annotationsBefore = annotations();
    double passesBefore = reconciles();

    long updated = System.nanoTime();
    replace(webSlice("10.1.0.1", "10.1.0.2", "10.1.0.3"));
    List<String> scaled = List.of("10.1.0.1:8080", "10.1.0.2:8080", "10.1.0.3:8080");
    await("every sidecar has the new endpoint")
        .atMost(BOUND)
        .until(() -> endpoints.stream().allMatch(e -> scaled.equals(addresses(e, WEB))));
    for (SimulatedEndpoints e : endpoints) {
      String version = e.received().get(e.received().size() - 1).document().version();
      long millis = (e.firstWith(version).orElseThrow().nanos() - updated) / 1_000_000;
      System.out.printf("endpoint propagation to %s: %d ms%n", e, millis);
    }

    await("a namespace pass saw the change").atMost(BOUND).until(() -> reconciles() > passesBefore);
    assertThat(route().getStatus().revision())
        .as("no new revision")
        .isEqualTo(before.getStatus().revision());
    assertThat(route().getStatus().conditions())
        .as("no condition flips or changes")
        .isEqualTo(before.getStatus().conditions());
    assertThat(annotations()).as("no pod annotation changes").isEqualTo(annotationsBefore);
    await("every sidecar ACKed; the propagation was measured")
        .atMost(BOUND)
        .untilAsserted(
            () -> {
              assertThat(registry().get("sluice_operator_endpoints_lagging_pods").gauge().value())
                  .isZero();
              assertThat(registry().get("sluice_operator_endpoints_propagation").timer().count())
                  .isGreaterThanOrEqualTo(4);
            });
    Timer propagation = registry().get("sluice_operator_endpoints_propagation").timer();
    System.out.printf(
        "operator-measured propagation (slice event to ACK): max %.1f ms over %d ACKs%n",
        propagation.max(java.util.concurrent.TimeUnit.MILLISECONDS), propagation.count());
  }

  @Test
  void scalingTwoToEightToOneGivesTheRightDocumentsEachTime() throws Exception {
    List<Pod> pods = pods(2);
    List<SimulatedEndpoints> endpoints = new ArrayList<>();
    for (Pod pod : pods) {
      harness.sidecar(pod, c -> false);
      endpoints.add(harness.endpoints(pod));
    }
    client.resource(Objects.route(route(WEB_ONLY))).create();
    awaitEvery(endpoints, List.of(ready("10.1.0.1"), ready("10.1.0.2")));

    // 8: the first slice fills up, a second IPv4 slice and an IPv6 slice take the rest.
    String revision = route().getStatus().revision();
    replace(webSlice("10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4"));
    client
        .resource(
            Slices.of(NS, "web-v4b", "web", "IPv4")
                .port("http", 8080)
                .ready("10.1.0.5")
                .ready("10.1.0.6")
                .notReady("10.1.0.7")
                .build())
        .create();
    client
        .resource(
            Slices.of(NS, "web-v6", "web", "IPv6").port("http", 8080).ready("fd00::8").build())
        .create();
    awaitEvery(
        endpoints,
        List.of(
            ready("10.1.0.1"),
            ready("10.1.0.2"),
            ready("10.1.0.3"),
            ready("10.1.0.4"),
            ready("10.1.0.5"),
            ready("10.1.0.6"),
            new Endpoint("10.1.0.7:8080", false, false, false, 1, "zone-a"),
            new Endpoint("[fd00::8]:8080", true, true, false, 1, "zone-a")));

    // 1: the extra slices go, one pod stays and one terminates while still serving.
    client.resource(Slices.of(NS, "web-v4b", "web", "IPv4").port("http", 8080).build()).delete();
    client.resource(Slices.of(NS, "web-v6", "web", "IPv6").port("http", 8080).build()).delete();
    replace(
        Slices.of(NS, "web-v4", "web", "IPv4")
            .port("http", 8080)
            .ready("10.1.0.1")
            .terminating("10.1.0.2", true)
            .build());
    awaitEvery(
        endpoints,
        List.of(ready("10.1.0.1"), new Endpoint("10.1.0.2:8080", false, true, true, 1, "zone-a")));
    assertThat(route().getStatus().revision())
        .as("scaling changed no revision")
        .isEqualTo(revision);
    assertThat(annotations().values())
        .extracting(a -> a.get(Labels.ASSIGNED_REVISION))
        .containsOnly(revision);
  }

  @Test
  void anAgentsSliceChangeIsANewDocumentAndNoNewRevision() throws Exception {
    client.resource(Objects.service(NS, "waf", 12345)).create();
    client.resource(slice("waf", 12345, "10.3.0.1")).create();
    client
        .resource(
            Objects.agent(
                """
                apiVersion: sluice.dev/v1alpha1
                kind: OffloadAgent
                metadata: {name: waf, namespace: shop}
                spec:
                  service: {name: waf, port: 12345}
                  timeouts: {processing: 300ms}
                  messages: [{name: check, args: [{name: src, value: src}]}]
                """))
        .create();
    List<SidecarConfig> configs = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<SimulatedEndpoints> endpoints = new ArrayList<>();
    for (Pod pod : pods(2)) {
      harness.sidecar(
          pod,
          c -> {
            configs.add(c);
            return false;
          });
      endpoints.add(harness.endpoints(pod));
    }
    client
        .resource(
            Objects.route(
                route(
                    """

                          - name: all
                            backend: {service: {name: web, port: 80}}
                            offload: [{agent: waf}]
                    """)))
        .create();
    await("every sidecar runs the revision and knows the agent's endpoints")
        .atMost(BOUND)
        .until(
            () ->
                readyPods(2)
                    && endpoints.stream()
                        .allMatch(
                            e ->
                                e.clusters().keySet().equals(Set.of(WEB, WAF))
                                    && List.of("10.3.0.1:12345").equals(addresses(e, WAF))));
    assertThat(configs)
        .as("the configs with the route (an idle one may come first)")
        .filteredOn(c -> !c.rules().isEmpty())
        .isNotEmpty()
        .allSatisfy(
            c ->
                assertThat(c.agents())
                    .singleElement()
                    .satisfies(
                        agent -> {
                          assertThat(agent.cluster()).isEqualTo(WAF);
                          assertThat(agent.endpoints()).as("none in the config").isEmpty();
                        }));
    ProxyRoute before = route();
    Map<String, Map<String, String>> annotationsBefore = annotations();
    int configsBefore = configs.size();

    replace(slice("waf", 12345, "10.3.0.1", "10.3.0.2"));
    await("every sidecar's document has the agent's new endpoint")
        .atMost(BOUND)
        .until(
            () ->
                endpoints.stream()
                    .allMatch(
                        e ->
                            List.of("10.3.0.1:12345", "10.3.0.2:12345").equals(addresses(e, WAF))));
    assertThat(route().getStatus().revision())
        .as("no new revision")
        .isEqualTo(before.getStatus().revision());
    assertThat(annotations()).as("no pod annotation changes").isEqualTo(annotationsBefore);
    assertThat(configs).as("no config sent again").hasSize(configsBefore);
  }

  @Test
  void anotherPodsTokenGetsNoEndpoints() throws Exception {
    List<Pod> pods = pods(2);
    String otherToken =
        cluster.issueToken(
            NS,
            "web-2",
            client.pods().inNamespace(NS).withName("web-2").get().getMetadata().getUid());
    HttpClient http = HttpClient.newBuilder().sslContext(harness.trust()).build();
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(harness.configServiceUrl() + "/v1/pods/shop/web-1/endpoints"))
                .header("Authorization", "Bearer " + otherToken)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("belongs to pod shop/web-2");
    assertThat(pods).hasSize(2);
  }

  /** The slice as the controller rewrites it (same name, the stored resourceVersion). */
  void replace(EndpointSlice slice) {
    EndpointSlice stored =
        client
            .discovery()
            .v1()
            .endpointSlices()
            .inNamespace(NS)
            .withName(slice.getMetadata().getName())
            .get();
    slice.getMetadata().setResourceVersion(stored.getMetadata().getResourceVersion());
    client.resource(slice).update();
  }

  static Endpoint ready(String ip) {
    return new Endpoint(ip + ":8080", true, true, false, 1, "zone-a");
  }

  static void awaitEvery(List<SimulatedEndpoints> sidecars, List<Endpoint> expected) {
    await("every sidecar's document for web is " + expected)
        .atMost(BOUND)
        .until(() -> sidecars.stream().allMatch(s -> expected.equals(s.clusters().get(WEB))));
  }
}
