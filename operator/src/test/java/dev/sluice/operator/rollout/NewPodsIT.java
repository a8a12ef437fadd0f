package dev.sluice.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.ProxyRouteStatus;
import dev.sluice.operator.status.Conditions;
import dev.sluice.operator.testing.Kstatus;
import dev.sluice.operator.testing.MutableClock;
import dev.sluice.operator.testing.Objects;
import dev.sluice.operator.testing.OperatorHarness;
import dev.sluice.operator.testing.SimulatedSidecar;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A pod that joins a route's pods gets a revision at once, whatever state the route's rollout is in
 * (the last good one while a change rolls out, is stalled or was rolled back), and a pod joining a
 * route whose revision every pod applied is not a rollout: Ready stays True, Reconciling False,
 * kstatus Current, no Event.
 */
class NewPodsIT {
  static final String NS = "shop";

  /** Where the rollout of web-01 and web-02 stands when web-03 is created. */
  enum State {
    COMPLETE,
    PROGRESSING,
    HALTED_ON_REJECTION,
    HALTED_ON_DEADLINE,
    ROLLED_BACK
  }

  EmbeddedKubernetes cluster;
  KubernetesClient client;
  MutableClock clock;
  OperatorHarness harness;
  final Map<String, SimulatedSidecar> sidecars = new HashMap<>();

  @BeforeEach
  void setUp() throws Exception {
    cluster = new EmbeddedKubernetes();
    client = cluster.client();
    clock = new MutableClock(Instant.now());
    harness = new OperatorHarness(cluster, clock);
    cluster.namespace(NS);
    client.resource(Objects.service(NS, "backend", 8080)).create();
    client.resource(Objects.endpoints(NS, "backend", 8080, List.of("10.1.0.1"))).create();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
    cluster.close();
  }

  static ProxyRoute route(int port, String onFailure) {
    return Objects.route(
        """
        apiVersion: sluice.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: web, namespace: shop}
        spec:
          selector: {matchLabels: {app: web}}
          listener: {port: %d}
          rules: [{name: all, backend: {service: {name: backend, port: 8080}}}]
          rollout: {batchSize: 1, onFailure: %s, progressDeadline: 10m}
        """
            .formatted(port, onFailure));
  }

  ProxyRoute current() {
    return client.resources(ProxyRoute.class).inNamespace(NS).withName("web").get();
  }

  ProxyRouteStatus status() {
    ProxyRoute r = current();
    return r == null ? null : r.getStatus();
  }

  String condition(String type) {
    Condition c = Conditions.find(status().conditions(), type);
    return c == null ? "-" : c.getStatus() + "/" + c.getReason();
  }

  Pod pod(String name) {
    return client.pods().inNamespace(NS).withName(name).get();
  }

  String assigned(String name) {
    Pod p = pod(name);
    return p == null || p.getMetadata().getAnnotations() == null
        ? null
        : p.getMetadata().getAnnotations().get(Labels.ASSIGNED_REVISION);
  }

  /** web-01 rejects listeners on 9090 when {@code rejects}; web-02 applies everything. */
  Pod createPod(String name, boolean rejects9090) {
    Pod pod = client.resource(Objects.sidecarPod(NS, name, Map.of("app", "web"))).create();
    sidecars.put(
        name,
        harness.sidecar(
            pod,
            c ->
                rejects9090
                    && c.listeners().stream().anyMatch(l -> l.address().endsWith(":9090"))));
    return pod;
  }

  /** web-01 and web-02 run the route's revision, every one applied: that revision. */
  String settled(String onFailure, boolean web01Rejects) throws Exception {
    client.resource(route(8080, onFailure)).create();
    harness.start();
    createPod("web-01", web01Rejects);
    createPod("web-02", false);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                status() != null
                    && status().rollout() != null
                    && Integer.valueOf(2).equals(status().rollout().updatedPods())
                    && Conditions.isTrue(status().conditions(), "Ready"));
    return status().revision();
  }

  void changePort() {
    ProxyRoute edited = route(9090, current().getSpec().rollout().onFailure().name());
    edited.getMetadata().setResourceVersion(current().getMetadata().getResourceVersion());
    client.resource(edited).update();
  }

  void reach(State state, String good) throws InterruptedException {
    switch (state) {
      case COMPLETE -> {}
      case PROGRESSING, HALTED_ON_DEADLINE -> {
        sidecars.remove("web-01").close(); // web-01 will not answer: the batch of one stays full
        changePort();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> assigned("web-01") != null && !good.equals(assigned("web-01")));
        if (state == State.HALTED_ON_DEADLINE) {
          clock.advance(Duration.ofMinutes(11));
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> condition("Stalled").equals("True/ProgressDeadlineExceeded"));
        } else {
          assertThat(condition("Reconciling")).isEqualTo("True/RolloutInProgress");
        }
      }
      case HALTED_ON_REJECTION -> {
        changePort();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> condition("Stalled").equals("True/ConfigRejected"));
      }
      case ROLLED_BACK -> {
        changePort();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> condition("Stalled").equals("True/RolledBack"));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(State.class)
  void aNewPodGetsTheLastGoodRevisionAtOnce(State state) throws Exception {
    boolean rejects = state == State.HALTED_ON_REJECTION || state == State.ROLLED_BACK;
    String good = settled(state == State.ROLLED_BACK ? "Rollback" : "Halt", rejects);
    reach(state, good);

    createPod("web-03", false);
    await().atMost(Duration.ofSeconds(10)).until(() -> good.equals(assigned("web-03")));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> good.equals(sidecars.get("web-03").applied()));
  }

  @Test
  void aPodJoiningARolledOutRouteIsNotARollout() throws Exception {
    String good = settled("Halt", false);
    await() // the Event of becoming Ready follows the status that says so
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                client.v1().events().inNamespace(NS).list().getItems().stream()
                    .anyMatch(e -> e.getMessage().startsWith("Ready=True")));
    int eventsBefore = client.v1().events().inNamespace(NS).list().getItems().size();
    List<String> seen = new CopyOnWriteArrayList<>();
    Watch watch =
        client
            .resources(ProxyRoute.class)
            .inNamespace(NS)
            .withName("web")
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, ProxyRoute r) {
                    ProxyRouteStatus s = r.getStatus();
                    seen.add(
                        Kstatus.of(
                                r.getMetadata().getGeneration(),
                                s.observedGeneration(),
                                s.conditions())
                            + " Ready="
                            + Conditions.find(s.conditions(), "Ready").getStatus()
                            + " selected="
                            + s.rollout().selectedPods()
                            + " updated="
                            + s.rollout().updatedPods());
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    try {
      // web-03 is assigned the revision but has not applied it: it is catching up.
      client.resource(Objects.sidecarPod(NS, "web-03", Map.of("app", "web"))).create();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  good.equals(assigned("web-03"))
                      && Integer.valueOf(3).equals(status().rollout().selectedPods()));
      ProxyRoute catchingUp = current();
      assertThat(condition("Ready")).isEqualTo("True/Applied");
      assertThat(condition("Reconciling")).isEqualTo("False/Applied");
      assertThat(condition("Programmed")).isEqualTo("True/Applied");
      assertThat(Conditions.find(status().conditions(), "Ready").getMessage())
          .isEqualTo(
              "2 of 3 selected pods applied revision "
                  + good
                  + "; the others are new and catching up.");
      assertThat(
              Kstatus.of(
                  catchingUp.getMetadata().getGeneration(),
                  catchingUp.getStatus().observedGeneration(),
                  catchingUp.getStatus().conditions()))
          .isEqualTo(Kstatus.Status.CURRENT);

      harness.sidecar(pod("web-03"), c -> false);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> Integer.valueOf(3).equals(status().rollout().updatedPods()));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !seen.isEmpty() && seen.get(seen.size() - 1).endsWith("updated=3"));
    } finally {
      watch.close();
    }
    assertThat(seen)
        .isNotEmpty()
        .allMatch(line -> line.startsWith("CURRENT Ready=True"), "Current");
    List<Event> events = client.v1().events().inNamespace(NS).list().getItems();
    assertThat(events).hasSize(eventsBefore);
  }
}
