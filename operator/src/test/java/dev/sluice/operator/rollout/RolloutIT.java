package dev.sluice.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.ProxyRouteStatus;
import dev.sluice.operator.status.Conditions;
import dev.sluice.operator.testing.MutableClock;
import dev.sluice.operator.testing.Objects;
import dev.sluice.operator.testing.OperatorHarness;
import dev.sluice.operator.testing.SimulatedSidecar;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rollouts end to end on the mock API server: the operator's reconcilers and config service, and 20
 * simulated sidecars (real HTTPS clients of the config service, each with its own pod's token).
 * Invariants: never more pods between "assigned" and "applied" than the batch allows; a rejection
 * stalls the rollout and leaves the pods not yet reached alone (and, with Rollback, returns the
 * updated ones); a new operator resumes from what the pods record; pods may come and go.
 */
class RolloutIT {
  static final String NS = "shop";
  static final int PODS = 20;

  EmbeddedKubernetes cluster;
  KubernetesClient client;
  MutableClock clock;
  OperatorHarness harness;
  final Map<String, Pod> pods = new ConcurrentHashMap<>();
  final AtomicInteger maxInFlight = new AtomicInteger();

  /** Assignments of this revision (the last good one, to new pods) are not part of a rollout. */
  volatile String notTarget = "";

  String batch;
  String onFailure;
  Watch watch;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new EmbeddedKubernetes();
    client = cluster.client();
    clock = new MutableClock(Instant.now());
    harness = new OperatorHarness(cluster, clock);
    cluster.namespace(NS);
    client.resource(Objects.service(NS, "backend", 8080)).create();
    client
        .resource(Objects.endpoints(NS, "backend", 8080, List.of("10.1.0.1", "10.1.0.2")))
        .create();
    watch =
        client
            .pods()
            .inNamespace(NS)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, Pod pod) {
                    if (action == Action.DELETED) {
                      pods.remove(pod.getMetadata().getName());
                    } else {
                      pods.put(pod.getMetadata().getName(), pod);
                    }
                    maxInFlight.accumulateAndGet(inFlight(), Math::max);
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
  }

  @AfterEach
  void tearDown() throws Exception {
    watch.close();
    harness.close();
    cluster.close();
  }

  /** Pods assigned a revision they have neither applied nor rejected. */
  int inFlight() {
    int n = 0;
    for (Pod pod : pods.values()) {
      Map<String, String> a = pod.getMetadata().getAnnotations();
      String assigned = a == null ? null : a.get(Labels.ASSIGNED_REVISION);
      if (assigned != null
          && !assigned.equals(a.get(Labels.APPLIED_REVISION))
          && !assigned.equals(a.get(Labels.REJECTED_REVISION))
          && !assigned.equals(notTarget)) {
        n++;
      }
    }
    return n;
  }

  static String routeYaml(int port, String batch, String onFailure) {
    return """
        apiVersion: sluice.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: web, namespace: shop}
        spec:
          selector: {matchLabels: {app: web}}
          listener: {port: %d}
          rules:
            - name: all
              backend: {service: {name: backend, port: 8080}}
          rollout: {batchSize: %s, onFailure: %s, progressDeadline: 10m}
        """
        .formatted(port, batch, onFailure);
  }

  List<Pod> createPods(int from, int to) {
    List<Pod> created = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      created.add(
          client
              .resource(Objects.sidecarPod(NS, "web-%02d".formatted(i), Map.of("app", "web")))
              .create());
    }
    return created;
  }

  Map<String, SimulatedSidecar> sidecars(List<Pod> of, Predicate<String> rejectsOnPod, int port) {
    Map<String, SimulatedSidecar> out = new HashMap<>();
    for (Pod pod : of) {
      String name = pod.getMetadata().getName();
      Predicate<SidecarConfig> rejects =
          c ->
              rejectsOnPod.test(name)
                  && c.listeners().stream().anyMatch(l -> l.address().endsWith(":" + port));
      out.put(name, harness.sidecar(pod, rejects));
    }
    return out;
  }

  void createRoute(String batch, String onFailure) {
    this.batch = batch;
    this.onFailure = onFailure;
    client.resource(Objects.route(routeYaml(8080, batch, onFailure))).create();
  }

  ProxyRoute route() {
    return client.resources(ProxyRoute.class).inNamespace(NS).withName("web").get();
  }

  ProxyRouteStatus status() {
    ProxyRoute r = route();
    return r == null ? null : r.getStatus();
  }

  static String condition(ProxyRouteStatus status, String type) {
    var c = status == null ? null : Conditions.find(status.conditions(), type);
    return c == null ? "-" : c.getStatus() + "/" + c.getReason();
  }

  void updatePort(int port) {
    ProxyRoute current = route();
    ProxyRoute edited = Objects.route(routeYaml(port, batch, onFailure));
    edited.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
    client.resource(edited).update();
  }

  void awaitComplete(String revisionNot) {
    try {
      awaitCompleteOrFail(revisionNot);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "rollout did not complete; the route is now:\n"
              + io.fabric8.kubernetes.client.utils.Serialization.asYaml(route()),
          e);
    }
  }

  void awaitCompleteOrFail(String revisionNot) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              ProxyRouteStatus s = status();
              return s != null
                  && s.rollout() != null
                  && !s.rollout().targetRevision().equals(revisionNot)
                  && Integer.valueOf(PODS).equals(s.rollout().updatedPods())
                  && Conditions.isTrue(s.conditions(), "Ready");
            });
  }

  /**
   * Pods web-01..web-20 with sidecars (rejecting listeners on {@code port} where {@code
   * rejectsOnPod} says so) and the route, rolled out once: the revision they all run.
   */
  String settled(String batch, String onFailure, Predicate<String> rejectsOnPod, int port)
      throws Exception {
    List<Pod> created = createPods(1, PODS);
    createRoute(batch, onFailure);
    harness.start();
    sidecars(created, rejectsOnPod, port);
    awaitComplete("");
    return status().revision();
  }

  @Test
  void rollsOutAQuarterAtATimeAndReportsEachStep() throws Exception {
    String first = settled("25%", "Halt", pod -> false, 0);
    assertThat(maxInFlight.get()).isBetween(1, 5);

    // A change: the new revision reaches the pods at most 5 at a time, with status along the way.
    maxInFlight.set(0);
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    Map<String, String> snapshots =
        java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    // Every status the API server stores, as a watch delivers it (no sampling).
    String[] last = {""};
    Watch observer =
        client
            .resources(ProxyRoute.class)
            .inNamespace(NS)
            .withName("web")
            .watch(
                new Watcher<>() {
                  @Override
                  public synchronized void eventReceived(Action action, ProxyRoute r) {
                    ProxyRouteStatus s = r.getStatus();
                    String line =
                        "Ready="
                            + condition(s, "Ready")
                            + " Reconciling="
                            + condition(s, "Reconciling")
                            + " Stalled="
                            + condition(s, "Stalled")
                            + " updated="
                            + (s == null || s.rollout() == null ? "-" : s.rollout().updatedPods());
                    if (line.equals(last[0])) {
                      return;
                    }
                    seen.add(line);
                    last[0] = line;
                    String kind = line.replaceAll(" updated=.*", "");
                    if (s != null
                        && s.rollout() != null
                        && s.rollout().updatedPods() != null
                        && s.rollout().updatedPods() >= 5
                        && s.rollout().updatedPods() < 10) {
                      kind = kind + " (mid-rollout)";
                    }
                    if (s != null && !snapshots.containsKey(kind)) {
                      snapshots.put(
                          kind, io.fabric8.kubernetes.client.utils.Serialization.asYaml(s));
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    updatePort(9090);
    awaitComplete(first);
    // The watch may deliver the final status just after the poll saw it.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !seen.isEmpty() && seen.get(seen.size() - 1).startsWith("Ready=True"));
    observer.close();
    assertThat(maxInFlight.get()).isBetween(1, 5);
    assertThat(status().observedGeneration()).isEqualTo(route().getMetadata().getGeneration());
    assertThat(seen).anyMatch(l -> l.startsWith("Ready=False/RolloutInProgress Reconciling=True"));
    assertThat(seen.get(seen.size() - 1)).startsWith("Ready=True/Applied Reconciling=False");
    for (Pod pod : pods.values()) {
      assertThat(pod.getMetadata().getAnnotations())
          .containsEntry(Labels.APPLIED_REVISION, status().revision())
          .containsEntry(Labels.LAST_GOOD_REVISION, status().revision());
    }
    System.out.println("[rollout] status steps: " + String.join(" | ", seen));
    snapshots.forEach((k, yaml) -> System.out.println("[rollout] status at " + k + ":\n" + yaml));
  }

  @Test
  void aRejectionAtPodSevenStallsAndRollsBack() throws Exception {
    String good = settled("25%", "Rollback", pod -> pod.equals("web-07"), 9090);
    notTarget = good;
    maxInFlight.set(0);

    updatePort(9090);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> condition(status(), "Stalled").equals("True/RolledBack"));
    ProxyRouteStatus stalled = status();
    System.out.println(
        "[rollout] status when stalled:\n"
            + io.fabric8.kubernetes.client.utils.Serialization.asYaml(stalled));
    assertThat(Conditions.find(stalled.conditions(), "Stalled").getMessage())
        .contains("pod web-07 rejected revision " + stalled.revision())
        .contains("returned to revision " + good);
    assertThat(condition(stalled, "Ready")).isEqualTo("False/RolledBack");
    // Every pod ends up on the last good revision; those after web-07's batch were never touched.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                pods.values().stream()
                    .allMatch(
                        p ->
                            good.equals(
                                    p.getMetadata().getAnnotations().get(Labels.APPLIED_REVISION))
                                && good.equals(
                                    p.getMetadata()
                                        .getAnnotations()
                                        .get(Labels.ASSIGNED_REVISION))));
    for (int i = 11; i <= PODS; i++) {
      Pod pod = pods.get("web-%02d".formatted(i));
      assertThat(pod.getMetadata().getAnnotations())
          .as("web-%02d was never given the new revision", i)
          .doesNotContainEntry(Labels.REJECTED_REVISION, stalled.revision());
    }
    assertThat(maxInFlight.get()).isLessThanOrEqualTo(5);
    Pod seven = client.pods().inNamespace(NS).withName("web-07").get();
    assertThat(seven.getStatus().getConditions())
        .anyMatch(
            c ->
                c.getType().equals(Labels.CONFIG_APPLIED_CONDITION)
                    && c.getStatus().equals("True"));
  }

  @Test
  void aNewOperatorResumesTheRollout() throws Exception {
    String first = settled("1", "Halt", pod -> false, 0);
    notTarget = first;
    maxInFlight.set(0);

    updatePort(9090);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(5))
        .until(
            () -> {
              ProxyRouteStatus s = status();
              return s != null
                  && !first.equals(s.revision())
                  && s.rollout().updatedPods() != null
                  && s.rollout().updatedPods() >= 3;
            });
    harness.stop();
    int updatedAtStop = status().rollout().updatedPods();
    assertThat(updatedAtStop).as("stopped mid-rollout").isLessThan(PODS);
    harness.start();
    awaitComplete(first);
    assertThat(maxInFlight.get()).isEqualTo(1);
  }

  @Test
  void podsAddedAndRemovedMidRolloutEndOnTheNewRevision() throws Exception {
    List<Pod> created = createPods(1, 12);
    createRoute("2", "Halt");
    harness.start();
    Map<String, SimulatedSidecar> sidecars = sidecars(created, pod -> false, 0);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> status() != null && Conditions.isTrue(status().conditions(), "Ready"));
    String first = status().revision();
    notTarget = first;
    maxInFlight.set(0);

    updatePort(9090);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                inFlight() > 0
                    || status().rollout().updatedPods() > 0 && !first.equals(status().revision()));
    // Remove two pods and add eight while the rollout runs.
    for (String gone : List.of("web-11", "web-12")) {
      sidecars.get(gone).close();
      client.pods().inNamespace(NS).withName(gone).delete();
    }
    List<Pod> added = createPods(13, 20);
    sidecars(added, pod -> false, 0);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              ProxyRouteStatus s = status();
              return s != null
                  && !first.equals(s.revision())
                  && Integer.valueOf(18).equals(s.rollout().selectedPods())
                  && Integer.valueOf(18).equals(s.rollout().updatedPods())
                  && Conditions.isTrue(s.conditions(), "Ready");
            });
    assertThat(maxInFlight.get()).isLessThanOrEqualTo(2);
    for (int i = 13; i <= 20; i++) {
      // New pods served the last good revision first, then the new one in their turn.
      assertThat(pods.get("web-%02d".formatted(i)).getMetadata().getAnnotations())
          .containsEntry(Labels.APPLIED_REVISION, status().revision());
    }
  }

  @Test
  void aMissedProgressDeadlineStalls() throws Exception {
    List<Pod> created = createPods(1, 3);
    createRoute("1", "Halt");
    harness.start();
    // web-01 never answers: no sidecar polls for it.
    sidecars(created.subList(1, 3), pod -> false, 0);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> condition(status(), "Reconciling").equals("True/RolloutInProgress"));
    clock.advance(Duration.ofMinutes(11));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> condition(status(), "Stalled").equals("True/ProgressDeadlineExceeded"));
    assertThat(Conditions.find(status().conditions(), "Stalled").getMessage())
        .isEqualTo(
            "pod web-01 did not apply revision "
                + status().revision()
                + " within the progress deadline of 600s");
    assertThat(condition(status(), "Ready")).isEqualTo("False/ProgressDeadlineExceeded");
  }
}
