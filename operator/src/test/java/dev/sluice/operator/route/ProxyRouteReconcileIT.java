package dev.sluice.operator.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.ProxyRouteStatus;
import dev.sluice.operator.configservice.RevisionStore;
import dev.sluice.operator.status.Conditions;
import dev.sluice.operator.testing.MutableClock;
import dev.sluice.operator.testing.Objects;
import dev.sluice.operator.testing.OperatorHarness;
import dev.sluice.operator.testing.SimulatedSidecar;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ProxyRoute reconcile flows on the mock API server: valid, invalid, missing references and
 * references appearing later, one bad route next to a good one, spec edits, deletion and cleanup,
 * and no status write when nothing changed.
 */
class ProxyRouteReconcileIT {
  static final String NS = "shop";

  EmbeddedKubernetes cluster;
  KubernetesClient client;
  MutableClock clock;
  OperatorHarness harness;
  final List<SimulatedSidecar> sidecars = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    cluster = new EmbeddedKubernetes();
    client = cluster.client();
    clock = new MutableClock(Instant.now());
    harness = new OperatorHarness(cluster, clock);
    cluster.namespace(NS);
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
    cluster.close();
  }

  void backend(String name, String address) {
    client.resource(Objects.service(NS, name, 8080)).create();
    client.resource(Objects.endpoints(NS, name, 8080, List.of(address))).create();
  }

  void pods(String app, int count) {
    for (int i = 1; i <= count; i++) {
      Pod pod = client.resource(Objects.sidecarPod(NS, app + "-" + i, Map.of("app", app))).create();
      sidecars.add(harness.sidecar(pod, c -> false));
    }
  }

  static String route(String name, String app, int port, String backend) {
    return """
        apiVersion: sluice.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: %s, namespace: shop}
        spec:
          selector: {matchLabels: {app: %s}}
          listener: {port: %d}
          rules:
            - name: all
              backend: {service: {name: %s, port: 8080}}
        """
        .formatted(name, app, port, backend);
  }

  ProxyRouteStatus status(String name) {
    ProxyRoute r = client.resources(ProxyRoute.class).inNamespace(NS).withName(name).get();
    return r == null ? null : r.getStatus();
  }

  Condition condition(String route, String type) {
    ProxyRouteStatus s = status(route);
    return s == null ? null : Conditions.find(s.conditions(), type);
  }

  boolean is(String route, String type, String status, String reason) {
    Condition c = condition(route, type);
    return c != null && status.equals(c.getStatus()) && reason.equals(c.getReason());
  }

  @Test
  void aMissingBackendIsAConditionUntilItAppears() throws Exception {
    // Endpoints written into the config (--no-live-endpoints): a Service without a ready one is
    // unresolved too.
    harness.close();
    harness =
        new OperatorHarness(cluster, clock, cluster.client(), s -> s.withLiveEndpoints(false));
    harness.start();
    pods("web", 2);
    client.resource(Objects.route(route("web", "web", 8080, "later"))).create();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> is("web", "ResolvedRefs", "False", "ServiceNotFound"));
    assertThat(condition("web", "ResolvedRefs").getMessage())
        .isEqualTo(
            "spec.rules[0].backend.service: \"later:8080\" (expected: a Service in namespace shop"
                + " with that port)");
    assertThat(condition("web", "Ready").getStatus()).isEqualTo("False");
    assertThat(condition("web", "Accepted").getStatus()).isEqualTo("True");
    assertThat(condition("web", "Reconciling").getStatus()).isEqualTo("True");
    assertThat(condition("web", "Stalled").getStatus()).isEqualTo("False");

    // The Service without ready endpoints: still unresolved, for another reason.
    client.resource(Objects.service(NS, "later", 8080)).create();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> is("web", "ResolvedRefs", "False", "NoEndpoints"));
    client.resource(Objects.endpoints(NS, "later", 8080, List.of("10.1.0.9"))).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> is("web", "Ready", "True", "Applied"));
    assertThat(condition("web", "ResolvedRefs").getStatus()).isEqualTo("True");
    assertThat(status("web").rollout().updatedPods()).isEqualTo(2);
  }

  @Test
  void withLiveEndpointsAServiceWithoutEndpointsResolvesAndRollsOut() throws Exception {
    harness.start();
    pods("web", 2);
    client.resource(Objects.route(route("web", "web", 8080, "later"))).create();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> is("web", "ResolvedRefs", "False", "ServiceNotFound"));
    // The Service exists, no endpoint yet: the rule names its cluster, whose endpoints reach the
    // sidecars on their own; the route is resolved and rolls out.
    client.resource(Objects.service(NS, "later", 8080)).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> is("web", "Ready", "True", "Applied"));
    assertThat(condition("web", "ResolvedRefs").getStatus()).isEqualTo("True");
    String revision = status("web").rollout().targetRevision();
    client.resource(Objects.endpoints(NS, "later", 8080, List.of("10.1.0.9"))).create();
    await()
        .during(Duration.ofSeconds(1)) // deliberate wait: nothing may change
        .atMost(Duration.ofSeconds(5))
        .until(() -> revision.equals(status("web").rollout().targetRevision()));
    assertThat(condition("web", "Ready").getStatus()).isEqualTo("True");
  }

  @Test
  void aConflictingRouteIsRefusedAndTheOtherStillRollsOut() throws Exception {
    backend("backend", "10.1.0.1");
    harness.start();
    pods("web", 2);
    client.resource(Objects.route(route("first", "web", 8080, "backend"))).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> is("first", "Ready", "True", "Applied"));
    client.resource(Objects.route(route("second", "web", 8080, "backend"))).create();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> is("second", "Accepted", "False", "PortConflict"));
    assertThat(condition("second", "Accepted").getMessage())
        .contains("spec.listener.port: \"8080\"")
        .contains("ProxyRoute first has it");
    assertThat(condition("second", "Stalled").getStatus()).isEqualTo("True");
    assertThat(condition("second", "Stalled").getReason()).isEqualTo("PortConflict");
    assertThat(condition("second", "Ready").getReason()).isEqualTo("PortConflict");
    // The first route keeps its port and stays applied.
    await().atMost(Duration.ofSeconds(20)).until(() -> is("first", "Ready", "True", "Applied"));
    assertThat(status("first").rollout().updatedPods()).isEqualTo(2);
  }

  @Test
  void aSpecEditRollsOutAndMovesObservedGeneration() throws Exception {
    backend("backend", "10.1.0.1");
    backend("other", "10.1.0.2");
    harness.start();
    pods("web", 2);
    ProxyRoute created =
        client.resource(Objects.route(route("web", "web", 8080, "backend"))).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> is("web", "Ready", "True", "Applied"));
    String first = status("web").revision();
    String readySince = condition("web", "Accepted").getLastTransitionTime();
    assertThat(status("web").observedGeneration()).isEqualTo(1L);

    clock.advance(Duration.ofSeconds(30));
    ProxyRoute edited = Objects.route(route("web", "web", 8080, "other"));
    edited
        .getMetadata()
        .setResourceVersion(
            client
                .resources(ProxyRoute.class)
                .inNamespace(NS)
                .withName("web")
                .get()
                .getMetadata()
                .getResourceVersion());
    client.resource(edited).update();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                status("web").observedGeneration() == 2L
                    && !first.equals(status("web").revision())
                    && is("web", "Ready", "True", "Applied"));
    for (Condition c : status("web").conditions()) {
      assertThat(c.getObservedGeneration()).as(c.getType()).isEqualTo(2L);
    }
    // Accepted never flipped: its transition time stays.
    assertThat(condition("web", "Accepted").getLastTransitionTime()).isEqualTo(readySince);
    assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
  }

  @Test
  void anUnchangedStatusIsNotWrittenAgain() throws Exception {
    backend("backend", "10.1.0.1");
    harness.start();
    pods("web", 2);
    client.resource(Objects.route(route("web", "web", 8080, "backend"))).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> is("web", "Ready", "True", "Applied"));
    // Let the last events settle: no write between two looks 100 ms apart.
    long[] settled = {harness.runtime().statuses().writes()};
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              long now = harness.runtime().statuses().writes();
              boolean quiet = now == settled[0];
              settled[0] = now;
              return quiet;
            });
    long writes = harness.runtime().statuses().writes();
    double before = harness.reconciles();
    // An event that reconciles the route but changes nothing it renders from.
    client.resource(Objects.service(NS, "unrelated", 9999)).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.reconciles() > before);
    // Absence takes a while to show: no write during the next 300 ms either.
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> harness.runtime().statuses().writes() == writes);
  }

  @Test
  void deletingARouteTakesItOutOfItsPodsAndCleansUp() throws Exception {
    backend("backend", "10.1.0.1");
    harness.start();
    pods("web", 2);
    client.resource(Objects.route(route("web", "web", 8080, "backend"))).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> is("web", "Ready", "True", "Applied"));
    String withRoute = status("web").revision();

    client.resources(ProxyRoute.class).inNamespace(NS).withName("web").delete();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> client.resources(ProxyRoute.class).inNamespace(NS).withName("web").get() == null);
    // The pods get (and apply) a config without the route's listener.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                sidecars.stream()
                    .allMatch(s -> s.applied() != null && !s.applied().equals(withRoute)));
    for (SimulatedSidecar s : sidecars) {
      assertThat(s.seen()).contains(withRoute);
    }
    // A sidecar runs a config before its report is recorded: wait until no pod names the old
    // revision (applied, last good) — the pass that collects runs at most once a minute.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                client.pods().inNamespace(NS).list().getItems().stream()
                    .map(p -> p.getMetadata().getAnnotations())
                    .allMatch(
                        a ->
                            !withRoute.equals(a.get(Labels.APPLIED_REVISION))
                                && !withRoute.equals(a.get(Labels.LAST_GOOD_REVISION))));
    // Once no pod names the old revision and it is old enough, its Secret goes.
    clock.advance(Duration.ofMinutes(5));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              // Any event in the namespace runs a pass; a new route is one.
              if (client.resources(ProxyRoute.class).inNamespace(NS).withName("again").get()
                  == null) {
                client.resource(Objects.route(route("again", "none", 9090, "backend"))).create();
              }
              Secret old =
                  client
                      .secrets()
                      .inNamespace(NS)
                      .withName(RevisionStore.secretName(withRoute))
                      .get();
              return old == null;
            });
    for (Pod pod : client.pods().inNamespace(NS).list().getItems()) {
      assertThat(pod.getMetadata().getAnnotations().get(Labels.APPLIED_REVISION))
          .isNotEqualTo(withRoute);
    }
  }
}
