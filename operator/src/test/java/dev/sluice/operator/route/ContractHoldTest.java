package dev.sluice.operator.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.ConditionTypes;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.ProxyRouteStatus;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.operator.pods.PodRecord;
import dev.sluice.operator.render.Renderer;
import dev.sluice.operator.rollout.PodStep;
import dev.sluice.operator.rollout.RolloutStep;
import dev.sluice.operator.testing.Objects;
import dev.sluice.sidecar.config.ContractField;
import dev.sluice.sidecar.config.ContractFields;
import dev.sluice.sidecar.config.ContractVersions;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A pod whose sidecar speaks a contract too old for its group's config (a must-understand field of
 * a later version is used) is never assigned it and keeps what it runs; the route says how many
 * pods, the field, the contract it needs and the remedy, while the other pods roll out.
 */
class ContractHoldTest {
  static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

  /** What this build speaks: the older sidecars here. */
  static final int OLD = ContractVersions.CURRENT;

  /** The first contract no build knows yet: the newer sidecars here. */
  static final int NEW = OLD + 1;

  /** The version table of an operator for which deny actions arrived in contract {@link #NEW}. */
  static final Renderer.Defaults DENY_IN_NEW =
      Renderer.Defaults.STANDARD.withContract(
          ContractFields.CURRENT.with(
              new ContractField("rules[].actions", NEW, ContractField.Handling.MUST_UNDERSTAND)));

  static ProxyRoute route(boolean deny) {
    return Objects.route(
        """
        apiVersion: sluice.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: web, namespace: shop}
        spec:
          selector: {matchLabels: {app: web}}
          listener: {port: 8080}
          rules:
            - backend: {endpoints: [10.0.0.1:80]}
        %s
          rollout: {batchSize: 100%%}
        """
            .formatted(
                deny
                    ? "      actions: [{deny: {when: {variable: txn.waf.blocked, value: 'true'}}}]"
                    : ""));
  }

  /** Pods web-1..n; the first {@code old} announced contract {@link #OLD}, the others newer. */
  static List<PodRecord> pods(int n, int old) {
    List<PodRecord> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      Pod pod = Objects.sidecarPod("shop", "web-" + i, Map.of("app", "web"));
      Map<String, String> annotations = new HashMap<>();
      if (pod.getMetadata().getAnnotations() != null) {
        annotations.putAll(pod.getMetadata().getAnnotations());
      }
      annotations.put(Labels.CONTRACT, String.valueOf(i <= old ? OLD : NEW));
      pod.getMetadata().setAnnotations(annotations);
      out.add(PodRecord.of(pod));
    }
    return out;
  }

  static NamespaceRollout.Result plan(ProxyRoute route, List<PodRecord> pods) {
    return NamespaceRolloutTest.plan(List.of(route), pods, DENY_IN_NEW);
  }

  @Test
  void podsSpeakingAnOlderContractAreHeldBackAndTheRouteSaysWhy() {
    var result = plan(route(true), pods(4, 2));

    assertThat(result.changes())
        .as("only the pods that speak the newer contract are assigned the revision")
        .extracting(NamespaceRollout.PodChange::pod)
        .containsExactly("web-3", "web-4");
    var rollout = result.routes().get("web").rollout();
    assertThat(rollout.selectedPods()).isEqualTo(4);
    assertThat(rollout.stalledReason()).isEqualTo(Reasons.SIDECAR_CONTRACT_TOO_OLD);
    assertThat(rollout.stalledMessage())
        .isEqualTo(
            "2 of 4 selected pods (web-1, web-2) run a sidecar that speaks contract "
                + OLD
                + "; revision "
                + rollout.targetRevision()
                + " uses rules[].actions, which needs contract "
                + NEW
                + ". They keep their last good"
                + " config; restart them to get the new sidecar image.");

    assertThat(result.steps())
        .as("the steps the rollout log tells: held, then assigned")
        .extracting(PodStep::step, PodStep::pod)
        .containsExactly(
            tuple(RolloutStep.ASSIGNED, "web-3"),
            tuple(RolloutStep.ASSIGNED, "web-4"),
            tuple(RolloutStep.HELD, "web-1"),
            tuple(RolloutStep.HELD, "web-2"));
    assertThat(result.steps().get(2).reason())
        .isEqualTo(
            "its sidecar speaks contract "
                + OLD
                + "; the revision uses rules[0].actions (contract "
                + NEW
                + ")");
    assertThat(result.places().get("web-1"))
        .isEqualTo(new NamespaceRollout.PodPlace(List.of("shop/web"), rollout.targetRevision()));

    ProxyRouteStatus status =
        RouteStatus.compute(null, 1, List.of(), rollout, "2026-12-07T12:00:00Z");
    assertThat(status.conditions())
        .filteredOn(c -> c.getType().equals(ConditionTypes.READY))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo(Reasons.SIDECAR_CONTRACT_TOO_OLD);
            });
    assertThat(status.conditions())
        .filteredOn(c -> c.getType().equals(ConditionTypes.STALLED))
        .singleElement()
        .satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"));
  }

  @Test
  void aConfigWithoutTheFieldGoesToEveryPodWhateverItSpeaks() {
    var result = plan(route(false), pods(4, 2));

    assertThat(result.changes())
        .extracting(NamespaceRollout.PodChange::pod)
        .containsExactly("web-1", "web-2", "web-3", "web-4");
    assertThat(result.routes().get("web").rollout().stalledReason()).isNull();
  }

  @Test
  void aPodThatAnnouncedNothingYetIsAssignedAndTheRouteDoesNotStall() {
    // A new pod, before its sidecar's first request: the config service guards it (it never sends
    // a revision the contract it announces cannot run); the route does not flap Stalled.
    List<PodRecord> pods =
        List.of(PodRecord.of(Objects.sidecarPod("shop", "web-1", Map.of("app", "web"))));
    assertThat(pods.get(0).contractAnnounced()).isFalse();

    var result = plan(route(true), pods);

    assertThat(result.changes())
        .extracting(NamespaceRollout.PodChange::pod)
        .containsExactly("web-1");
    assertThat(result.routes().get("web").rollout().stalledReason()).isNull();
  }

  @Test
  void anUnreadableAnnouncementIsTakenForTheOldestContract() {
    Pod pod = Objects.sidecarPod("shop", "web-1", Map.of("app", "web"));
    Map<String, String> annotations = new HashMap<>();
    if (pod.getMetadata().getAnnotations() != null) {
      annotations.putAll(pod.getMetadata().getAnnotations());
    }
    annotations.put(Labels.CONTRACT, "two");
    pod.getMetadata().setAnnotations(annotations);
    List<PodRecord> pods = List.of(PodRecord.of(pod));
    assertThat(pods.get(0).contract()).isEqualTo(1);

    var result = plan(route(true), pods);

    assertThat(result.changes()).isEmpty();
    assertThat(result.routes().get("web").rollout().stalledMessage())
        .startsWith("1 of 1 selected pods (web-1) run a sidecar that speaks contract 1;");
  }

  @Test
  void theMessageNamesThreePodsAndCountsTheRest() {
    var result = plan(route(true), pods(6, 5));

    assertThat(result.routes().get("web").rollout().stalledMessage())
        .startsWith("5 of 6 selected pods (web-1, web-2, web-3 and 2 more) run a sidecar");
  }
}
