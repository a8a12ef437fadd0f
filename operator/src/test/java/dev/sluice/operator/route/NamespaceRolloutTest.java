package dev.sluice.operator.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.pods.PodRecord;
import dev.sluice.operator.render.Renderer;
import dev.sluice.operator.render.ServiceKey;
import dev.sluice.operator.render.ServicePortEndpoints;
import dev.sluice.operator.testing.Objects;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The namespace pass as a pure function: pods selected by the same routes share a revision and roll
 * out as a group under the strictest policy; pods no route selects still get a config; a config the
 * sidecar would refuse is never handed out.
 */
class NamespaceRolloutTest {
  static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

  static ProxyRoute route(String name, String app, int port, String batch) {
    return Objects.route(
        """
        apiVersion: sluice.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: %s, namespace: shop}
        spec:
          selector: {matchLabels: {%s}}
          listener: {port: %d}
          rules:
            - backend: {endpoints: [10.0.0.1:80]}
          rollout: {batchSize: %s}
        """
            .formatted(name, app, port, batch));
  }

  static List<PodRecord> pods(String app, int n) {
    List<PodRecord> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      Pod pod = Objects.sidecarPod("shop", app + "-" + i, Map.of("app", app, "team", "a"));
      out.add(PodRecord.of(pod));
    }
    return out;
  }

  static NamespaceRollout.Result plan(List<ProxyRoute> routes, List<PodRecord> pods) {
    return plan(routes, pods, Renderer.Defaults.STANDARD);
  }

  static NamespaceRollout.Result plan(
      List<ProxyRoute> routes, List<PodRecord> pods, Renderer.Defaults defaults) {
    return NamespaceRollout.plan(
        new NamespaceRollout.Input(
            "shop",
            routes,
            Map.of(),
            Map.<ServiceKey, ServicePortEndpoints>of(),
            Map.of(),
            Map.of(),
            Map.of(),
            pods,
            NOW,
            defaults));
  }

  @Test
  void aRouteWithAnInvalidSelectorIsNotAcceptedAndTheOthersStillRollOut() {
    ProxyRoute web = route("web", "app: web", 8080, "100%");
    ProxyRoute noOperator =
        Objects.route(
            """
            apiVersion: sluice.dev/v1alpha1
            kind: ProxyRoute
            metadata: {name: no-operator, namespace: shop}
            spec:
              selector: {matchExpressions: [{key: app, values: [web]}]}
              listener: {port: 9090}
              rules: [{backend: {endpoints: [10.0.0.1:80]}}]
            """);
    ProxyRoute lowercase =
        Objects.route(
            """
            apiVersion: sluice.dev/v1alpha1
            kind: ProxyRoute
            metadata: {name: lowercase, namespace: shop}
            spec:
              selector: {matchExpressions: [{key: app, operator: in, values: [web]}]}
              listener: {port: 9091}
              rules: [{backend: {endpoints: [10.0.0.1:80]}}]
            """);

    var result = plan(List.of(noOperator, web, lowercase), pods("web", 2));

    assertThat(result.changes()).extracting(c -> c.assign()).doesNotContainNull().hasSize(2);
    assertThat(result.routes().get("web").problems()).isEmpty();
    assertThat(result.routes().get("web").rollout().selectedPods()).isEqualTo(2);
    assertThat(result.routes().get("no-operator").problems())
        .extracting(p -> p.conditionType() + " " + p.reason() + " " + p.message())
        .containsExactly(
            "Accepted InvalidSpec spec.selector.matchExpressions[0].operator: \"missing\""
                + " (expected: Required value)");
    assertThat(result.routes().get("lowercase").problems())
        .extracting(p -> p.message())
        .containsExactly(
            "spec.selector.matchExpressions[0].operator: \"in\""
                + " (expected: supported values: \"DoesNotExist\", \"Exists\", \"In\", \"NotIn\")");
  }

  @Test
  void podsSelectedByTheSameRoutesFormOneGroupUnderTheStrictestBatch() {
    List<PodRecord> pods = new ArrayList<>(pods("web", 8));
    pods.addAll(pods("api", 4));
    // "wide" selects every pod of team a (batch 50%), "web" only the web pods (batch 1).
    ProxyRoute wide = route("wide", "team: a", 8080, "50%");
    ProxyRoute web = route("web", "app: web", 9090, "1");
    var result = plan(List.of(wide, web), pods);

    // web pods: group {wide, web} at batch min(50% of 8 = 4, 1) = 1; api pods: {wide} at 2.
    List<String> assigned =
        result.changes().stream().filter(c -> c.assign() != null).map(c -> c.pod()).toList();
    assertThat(assigned).containsExactly("api-1", "api-2", "web-1");
    assertThat(result.configs()).hasSize(2);
    var wideState = result.routes().get("wide").rollout();
    assertThat(wideState.selectedPods()).isEqualTo(12);
    assertThat(wideState.targetRevision()).as("two groups: a digest of both").hasSize(16);
    assertThat(result.routes().get("web").rollout().selectedPods()).isEqualTo(8);
  }

  @Test
  void podsNoRouteSelectsGetTheIdleConfig() {
    var result = plan(List.of(), pods("web", 2));
    assertThat(result.changes())
        .extracting(NamespaceRollout.PodChange::pod)
        .containsExactly("web-1");
    var config = result.configs().values().iterator().next();
    assertThat(config.listeners()).isEmpty();
    assertThat(config.rules()).isEmpty();
  }

  @Test
  void aConfigTheSidecarWouldRefuseIsNeverHandedOut() {
    // Two listeners on one port from two routes of equal age is a PortConflict the renderer
    // handles; an invalid upstream endpoint can only come from a static list CEL did not catch.
    ProxyRoute bad =
        Objects.route(
            """
            apiVersion: sluice.dev/v1alpha1
            kind: ProxyRoute
            metadata: {name: bad, namespace: shop}
            spec:
              selector: {matchLabels: {app: web}}
              listener: {port: 8080}
              rules:
                - backend: {endpoints: ["10.0.0.1:99999"]}
            """);
    var result = plan(List.of(bad), pods("web", 2));
    assertThat(result.changes()).isEmpty();
    assertThat(result.configs()).isEmpty();
    var problem = result.routes().get("bad").problems().get(0);
    assertThat(problem.conditionType()).isEqualTo("Accepted");
    assertThat(problem.reason()).isEqualTo("InvalidSpec");
    assertThat(problem.message()).contains("rendered config rules[0].upstream.endpoints[0]");
  }

  @Test
  void aRouteTheCrdRulesWouldRefuseIsLeftOutAndTheOthersRollOut() {
    ProxyRoute bad = route("bad", "app: web", 9090, "0%");
    ProxyRoute noTls =
        Objects.route(
            """
            apiVersion: sluice.dev/v1alpha1
            kind: ProxyRoute
            metadata: {name: notls, namespace: shop}
            spec:
              selector: {matchLabels: {app: web}}
              listener: {port: 9443, protocol: HTTPS}
              rules:
                - name: a
                  backend: {endpoints: [10.0.0.1:80]}
                - name: a
                  backend: {endpoints: [10.0.0.1:80], service: {name: x, port: 80}}
              rollout: {progressDeadline: 5s}
            """);
    ProxyRoute good = route("good", "app: web", 8080, "1");
    var result = plan(List.of(bad, noTls, good), pods("web", 2));

    // The CRD's own rules, as the API server words them, with the value the rule saw.
    assertThat(result.routes().get("bad").problems())
        .extracting(p -> p.message())
        .containsExactly(
            "spec.rollout: \"{\"batchSize\":\"0%\"}\" (expected: rollout.batchSize must be a number"
                + " >= 1 or a percentage from 1% to 100%)");
    assertThat(result.routes().get("notls").problems())
        .extracting(p -> p.field() + ": " + p.expected())
        .containsExactly(
            "spec: rules[].name must be unique within the ProxyRoute",
            "spec.listener: listener.tls is required when protocol is HTTPS and not allowed when"
                + " it is HTTP",
            "spec.rules[1].backend: backend needs exactly one of service and endpoints",
            "spec.rollout: rollout.progressDeadline must be at least 10s");
    assertThat(result.routes().get("notls").problems())
        .allMatch(p -> p.conditionType().equals("Accepted") && p.reason().equals("InvalidSpec"));
    // The valid route renders alone and rolls out; the invalid ones select nothing.
    var config = result.configs().values().iterator().next();
    assertThat(config.listeners()).hasSize(1);
    assertThat(config.listeners().get(0).address()).endsWith(":8080");
    assertThat(result.routes().get("good").rollout().selectedPods()).isEqualTo(2);
    assertThat(result.routes().get("bad").rollout().selectedPods()).isZero();
  }

  @Test
  void everyRuleOfTheCrdIsEnforcedNotOnlyTheOnesOnceMirroredByHand() {
    // A string batch size without % and an Exact path without '/': the CRD refuses both; the
    // hand-written checks this replaced let them through.
    ProxyRoute drifted =
        Objects.route(
            """
            apiVersion: sluice.dev/v1alpha1
            kind: ProxyRoute
            metadata: {name: drifted, namespace: shop}
            spec:
              selector: {matchLabels: {app: web}}
              listener: {port: 8080}
              rules:
                - backend: {endpoints: [10.0.0.1:80]}
                  matches: [{path: {type: Exact, value: api}}]
              rollout: {batchSize: "1"}
            """);
    var result = plan(List.of(drifted), pods("web", 1));
    assertThat(result.routes().get("drifted").problems())
        .extracting(p -> p.field() + " " + p.reason())
        .containsExactly("spec.rules[0].matches[0].path InvalidSpec", "spec.rollout InvalidSpec");
    assertThat(result.routes().get("drifted").rollout().selectedPods()).isZero();
  }

  @Test
  void aRouteSelectingNoPodStillReportsItsProblems() {
    ProxyRoute missing =
        Objects.route(
            """
            apiVersion: sluice.dev/v1alpha1
            kind: ProxyRoute
            metadata: {name: lonely, namespace: shop}
            spec:
              selector: {matchLabels: {app: nothing}}
              listener: {port: 8080}
              rules:
                - backend: {service: {name: gone, port: 80}}
            """);
    var result = plan(List.of(missing), pods("web", 1));
    var outcome = result.routes().get("lonely");
    assertThat(outcome.rollout().selectedPods()).isZero();
    assertThat(outcome.problems()).extracting(p -> p.reason()).containsExactly("ServiceNotFound");
  }
}
