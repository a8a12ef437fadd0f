package dev.sluice.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.ProxyRouteStatus;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.operator.status.Conditions;
import dev.sluice.operator.testing.CapturedLog;
import dev.sluice.operator.testing.MutableClock;
import dev.sluice.operator.testing.Objects;
import dev.sluice.operator.testing.OperatorHarness;
import dev.sluice.operator.testing.SimulatedSidecar;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invariant: every rollout step of every pod — assigned, applied, rejected, rolled back — is one
 * log line with its route, pod and revision, said once (a pass that finds nothing new says
 * nothing), and the route's Events count the steps up instead of adding one per pod and step.
 */
class RolloutStepsIT {
  static final String NS = "shop";
  static final String ROUTE = NS + "/web";
  static final int PODS = 4;

  EmbeddedKubernetes cluster;
  KubernetesClient client;
  OperatorHarness harness;
  CapturedLog log;
  int ticks;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new EmbeddedKubernetes();
    client = cluster.client();
    harness = new OperatorHarness(cluster, new MutableClock(Instant.now()));
    cluster.namespace(NS);
    client.resource(Objects.service(NS, "backend", 8080)).create();
    client.resource(Objects.endpoints(NS, "backend", 8080, List.of("10.1.0.1"))).create();
    log = new CapturedLog(RolloutLog.class);
  }

  @AfterEach
  void tearDown() throws Exception {
    log.close();
    harness.close();
    cluster.close();
  }

  ProxyRouteStatus status() {
    ProxyRoute route = client.resources(ProxyRoute.class).inNamespace(NS).withName("web").get();
    return route == null ? null : route.getStatus();
  }

  List<Event> events() {
    return client.v1().events().inNamespace(NS).list().getItems();
  }

  List<Event> events(String reason) {
    return events().stream().filter(e -> reason.equals(e.getReason())).toList();
  }

  /** Each captured line as {@code step pod revision [previousRevision]}, in order. */
  List<String> steps() {
    return log.fields().stream()
        .map(
            f ->
                f.get("step")
                    + " "
                    + f.get("pod").substring(NS.length() + 1)
                    + " "
                    + f.get("revision")
                    + (f.containsKey("previousRevision") ? " " + f.get("previousRevision") : ""))
        .toList();
  }

  List<String> stepsOf(String pod) {
    return steps().stream().filter(s -> s.split(" ")[1].equals(pod)).toList();
  }

  /** Sidecar reports the config service took and was done with, by outcome. */
  double reports(String outcome) {
    Counter counter =
        harness
            .runtime()
            .metrics()
            .registry()
            .find("sluice_operator_sidecar_reports")
            .tag("outcome", outcome)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  /** A change of nothing the routes use: the namespace is reconciled again, and that pass ends. */
  void anIdenticalPass() {
    double before = harness.reconciles();
    client.resource(Objects.service(NS, "tick-" + ticks++, 80)).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> harness.reconciles() > before);
  }

  @Test
  void eachStepOfEachPodIsOneLineAndTheRoutesEventsCountThemUp() throws Exception {
    List<Pod> pods = new ArrayList<>();
    for (int i = 1; i <= PODS; i++) {
      pods.add(client.resource(Objects.sidecarPod(NS, "web-" + i, Map.of("app", "web"))).create());
    }
    client.resource(Objects.route(RolloutIT.routeYaml(8080, "1", "Rollback"))).create();
    harness.start();
    Map<String, SimulatedSidecar> sidecars = new java.util.HashMap<>();
    for (Pod pod : pods) {
      String name = pod.getMetadata().getName();
      sidecars.put(
          name,
          harness.sidecar(
              pod,
              c ->
                  name.equals("web-2")
                      && c.listeners().stream().anyMatch(l -> l.address().endsWith(":9090"))));
    }

    // The first rollout: each pod assigned, then applied, the revision — a line each, no more.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> status() != null && Conditions.isTrue(status().conditions(), "Ready"));
    String r1 = status().revision();
    await().atMost(Duration.ofSeconds(10)).until(() -> log.lines().size() >= 2 * PODS);
    anIdenticalPass();
    for (int i = 1; i <= PODS; i++) {
      assertThat(stepsOf("web-" + i))
          .as("web-%d", i)
          .containsExactlyInAnyOrder("assigned web-" + i + " " + r1, "applied web-" + i + " " + r1);
    }
    assertThat(log.fields()).allSatisfy(f -> assertThat(f).containsEntry("route", ROUTE));
    assertThat(log.lines()).extracting(ILoggingEvent::getLevel).containsOnly(Level.INFO);
    Event progress = events("RolloutProgress").get(0);
    assertThat(events("RolloutProgress")).hasSize(1);
    assertThat(progress.getType()).isEqualTo("Normal");
    assertThat(progress.getInvolvedObject().getName()).isEqualTo("web");
    assertThat(progress.getCount()).as("one count a pass with steps").isBetween(2, 2 * PODS);
    assertThat(progress.getMessage())
        .startsWith("Revision " + r1 + ": ")
        .endsWith(" 4 of 4 selected pods updated.");

    // A pass that finds nothing new says nothing and counts nothing.
    int lines = log.lines().size();
    Map<String, Integer> counts = counts();
    anIdenticalPass();
    anIdenticalPass();
    assertThat(log.lines()).hasSize(lines);
    assertThat(counts()).isEqualTo(counts);

    // The second, a pod at a time: web-1 applies it, web-2's sidecar refuses it, and both get the
    // first back; web-3 and web-4 are never given it.
    ProxyRoute current = client.resources(ProxyRoute.class).inNamespace(NS).withName("web").get();
    ProxyRoute edited = Objects.route(RolloutIT.routeYaml(9090, "1", "Rollback"));
    edited.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
    client.resource(edited).update();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                Conditions.isTrue(status().conditions(), "Stalled")
                    && stepsOf("web-1").contains("applied web-1 " + r1 + " " + status().revision())
                    // every report in: 4 + 2 applied by web-1 + web-2 taking the first again
                    && reports("applied") == 7
                    && reports("rejected") == 1);
    String r2 = status().revision();
    assertThat(Conditions.find(status().conditions(), "Stalled").getReason())
        .isEqualTo(Reasons.ROLLED_BACK);
    anIdenticalPass();

    assertThat(steps().subList(lines, steps().size()))
        .containsExactlyInAnyOrder(
            "assigned web-1 " + r2 + " " + r1,
            "applied web-1 " + r2 + " " + r1,
            "assigned web-2 " + r2 + " " + r1,
            "rejected web-2 " + r2 + " " + r1,
            "rolled-back web-1 " + r1 + " " + r2,
            "rolled-back web-2 " + r1 + " " + r2,
            "applied web-1 " + r1 + " " + r2);
    assertThat(sidecars.get("web-2").seen())
        .as("web-2 ran the first revision all along: taking it again is no step")
        .containsExactly(r1, r2, r1);

    Map<String, String> rejected =
        log.fields().stream()
            .filter(f -> "rejected".equals(f.get("step")))
            .findFirst()
            .orElseThrow();
    assertThat(rejected)
        .containsEntry("route", ROUTE)
        .containsEntry("reason", SimulatedSidecar.REJECTION);
    assertThat(
            log.lines().stream()
                .filter(l -> CapturedLog.fields(l).get("step").matches("rejected|rolled-back")))
        .hasSize(3)
        .extracting(ILoggingEvent::getLevel)
        .containsOnly(Level.WARN);
    assertThat(log.fields())
        .filteredOn(f -> "rolled-back".equals(f.get("step")))
        .allSatisfy(
            f ->
                assertThat(f.get("reason"))
                    .isEqualTo(
                        "pod web-2 rejected revision " + r2 + ": " + SimulatedSidecar.REJECTION));

    // Events: one a route, kind and revision, counting up; not one a pod and step.
    events()
        .forEach(
            e ->
                System.out.println(
                    "[events] "
                        + e.getType()
                        + " "
                        + e.getReason()
                        + " x"
                        + e.getCount()
                        + " "
                        + e.getMessage()));
    assertThat(events("RolloutProgress"))
        .extracting(e -> e.getMessage().substring(0, "Revision ".length() + r1.length()))
        .containsExactlyInAnyOrder("Revision " + r1, "Revision " + r2);
    assertThat(events(Reasons.CONFIG_REJECTED))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage())
                  .startsWith("Revision " + r2 + ": rejected by web-2 (")
                  .contains(SimulatedSidecar.REJECTION);
            });
    assertThat(events(Reasons.ROLLED_BACK))
        .filteredOn(e -> e.getMessage().startsWith("Revision " + r2 + ": rolled back"))
        .singleElement()
        .satisfies(
            e -> assertThat(e.getMessage()).contains("to revision " + r1 + " on web-1, web-2 ("));
    assertThat(events())
        .as("Events on the route for %d pod steps: %s", steps().size(), counts())
        .hasSizeLessThanOrEqualTo(10)
        .allSatisfy(e -> assertThat(e.getInvolvedObject().getKind()).isEqualTo("ProxyRoute"));
  }

  /** Each Event's count by reason and message start. */
  Map<String, Integer> counts() {
    return events().stream()
        .collect(
            Collectors.toMap(
                e -> e.getReason() + " " + e.getMetadata().getName(), Event::getCount));
  }
}
