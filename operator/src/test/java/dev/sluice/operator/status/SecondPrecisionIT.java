package dev.sluice.operator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.testing.MutableClock;
import dev.sluice.operator.testing.Objects;
import dev.sluice.operator.testing.OperatorHarness;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every timestamp the operator writes is RFC 3339 to the second, as metav1.Time is: the conditions
 * of routes and agents (which the API server stores as sent), of pods, Events and the assigned-at
 * annotation — in what it sends, not only in what the API server keeps.
 */
class SecondPrecisionIT {
  static final String NS = "shop";
  static final Pattern TIME =
      Pattern.compile(
          "\"(lastTransitionTime|firstTimestamp|lastTimestamp|"
              + Pattern.quote(Labels.ASSIGNED_AT)
              + ")\":\"([^\"]*)\"");
  static final Pattern SECONDS = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");

  EmbeddedKubernetes cluster;
  KubernetesClient client;
  OperatorHarness harness;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new EmbeddedKubernetes();
    client = cluster.client();
    // A clock with nanoseconds, as the system clock has.
    harness =
        new OperatorHarness(
            cluster, new MutableClock(Instant.parse("2026-12-06T10:00:25.775142277Z")));
    cluster.namespace(NS);
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
    cluster.close();
  }

  @Test
  void everyTimestampTheOperatorWritesIsToTheSecond() throws Exception {
    client.resource(Objects.service(NS, "backend", 8080)).create();
    client.resource(Objects.endpoints(NS, "backend", 8080, List.of("10.1.0.1"))).create();
    client.resource(Objects.agent("waf", List.of("10.2.0.1:12345"))).create();
    client
        .resource(
            Objects.route(
                "web",
                "web",
                8080,
                "[{name: all, backend: {service: {name: backend, port: 8080}}}]"))
        .create();
    Pod pod = client.resource(Objects.sidecarPod(NS, "web-1", Map.of("app", "web"))).create();
    cluster.takeRequests(); // what the test itself sent
    harness.start();
    harness.sidecar(pod, c -> false);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              ProxyRoute r =
                  client.resources(ProxyRoute.class).inNamespace(NS).withName("web").get();
              OffloadAgent a =
                  client.resources(OffloadAgent.class).inNamespace(NS).withName("waf").get();
              Pod p = client.pods().inNamespace(NS).withName("web-1").get();
              return r.getStatus() != null
                  && "True".equals(find(r.getStatus().conditions(), "Ready"))
                  && a.getStatus() != null
                  && p.getStatus().getConditions().stream()
                      .anyMatch(c -> Labels.CONFIG_APPLIED_CONDITION.equals(c.getType()))
                  && !client.v1().events().inNamespace(NS).list().getItems().isEmpty();
            });

    List<String> stored = new ArrayList<>();
    client
        .resources(ProxyRoute.class)
        .inNamespace(NS)
        .withName("web")
        .get()
        .getStatus()
        .conditions()
        .forEach(c -> stored.add(c.getLastTransitionTime()));
    client
        .resources(OffloadAgent.class)
        .inNamespace(NS)
        .withName("waf")
        .get()
        .getStatus()
        .conditions()
        .forEach(c -> stored.add(c.getLastTransitionTime()));
    Pod p = client.pods().inNamespace(NS).withName("web-1").get();
    stored.add(p.getMetadata().getAnnotations().get(Labels.ASSIGNED_AT));
    p.getStatus().getConditions().stream()
        .filter(c -> c.getLastTransitionTime() != null)
        .forEach(c -> stored.add(c.getLastTransitionTime()));
    for (Event e : client.v1().events().inNamespace(NS).list().getItems()) {
      stored.add(e.getFirstTimestamp());
      stored.add(e.getLastTimestamp());
    }
    assertThat(stored).allMatch(t -> SECONDS.matcher(t).matches(), "RFC 3339 to the second");

    List<String> sent = new ArrayList<>();
    for (RecordedRequest request : cluster.takeRequests()) {
      Matcher m = TIME.matcher(request.getBody() == null ? "" : request.getUtf8Body());
      while (m.find()) {
        sent.add(
            m.group(1) + "=" + m.group(2) + " in " + request.getMethod() + " " + request.getPath());
      }
    }
    assertThat(sent).isNotEmpty();
    assertThat(sent)
        .allSatisfy(
            line ->
                assertThat(SECONDS.matcher(line.split("=", 2)[1].split(" ", 2)[0]).matches())
                    .as(line)
                    .isTrue());
  }

  static String find(List<Condition> conditions, String type) {
    Condition c = Conditions.find(conditions, type);
    return c == null ? null : c.getStatus();
  }
}
