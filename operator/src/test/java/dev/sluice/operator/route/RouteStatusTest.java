package dev.sluice.operator.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.v1alpha1.ConditionTypes;
import dev.sluice.api.v1alpha1.ProxyRouteStatus;
import dev.sluice.operator.render.RenderProblem;
import dev.sluice.operator.rollout.RolloutState;
import dev.sluice.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A ProxyRoute's conditions through a rollout, as `kubectl get proxyroute -o yaml` shows them. */
class RouteStatusTest {
  static final String T0 = "2026-11-21T10:00:00Z";
  static final String T1 = "2026-11-21T10:00:05Z";
  static final String T2 = "2026-11-21T10:00:10Z";
  static final String T3 = "2026-11-21T10:00:20Z";

  static RolloutState rollout(int selected, int updated, String stalledReason) {
    return new RolloutState(
        "a1b2c3d4e5f60718",
        updated == selected && stalledReason == null ? "a1b2c3d4e5f60718" : null,
        selected,
        updated,
        updated,
        stalledReason == null ? 0 : 1,
        stalledReason,
        stalledReason == null ? null : "pod shop/web-3 rejected revision a1b2c3d4e5f60718: x");
  }

  static Condition condition(ProxyRouteStatus status, String type) {
    return Conditions.find(status.conditions(), type);
  }

  static String line(ProxyRouteStatus status, String type) {
    Condition c = condition(status, type);
    return c.getType()
        + "="
        + c.getStatus()
        + " "
        + c.getReason()
        + " since "
        + c.getLastTransitionTime();
  }

  @Test
  void aNewPodCatchingUpKeepsTheRouteReady() {
    ProxyRouteStatus done = RouteStatus.compute(null, 3, List.of(), rollout(2, 2, null), T0);
    RolloutState catchingUp =
        new RolloutState("a1b2c3d4e5f60718", "a1b2c3d4e5f60718", 3, 2, 2, 0, null, null, true);
    ProxyRouteStatus next = RouteStatus.compute(done, 3, List.of(), catchingUp, T1);
    assertThat(line(next, ConditionTypes.READY)).isEqualTo("Ready=True Applied since " + T0);
    assertThat(line(next, ConditionTypes.RECONCILING))
        .isEqualTo("Reconciling=False Applied since " + T0);
    assertThat(line(next, ConditionTypes.PROGRAMMED))
        .isEqualTo("Programmed=True Applied since " + T0);
    assertThat(condition(next, ConditionTypes.READY).getMessage())
        .isEqualTo(
            "2 of 3 selected pods applied revision a1b2c3d4e5f60718; the others are new and"
                + " catching up.");
  }

  @Test
  void aRolloutFromStartToReady() {
    ProxyRouteStatus start = RouteStatus.compute(null, 3, List.of(), rollout(4, 1, null), T0);
    assertThat(line(start, ConditionTypes.READY))
        .isEqualTo("Ready=False RolloutInProgress since " + T0);
    assertThat(line(start, ConditionTypes.RECONCILING))
        .isEqualTo("Reconciling=True RolloutInProgress since " + T0);
    assertThat(line(start, ConditionTypes.STALLED)).isEqualTo("Stalled=False Applied since " + T0);
    assertThat(condition(start, ConditionTypes.PROGRAMMED).getMessage())
        .isEqualTo("1 of 4 selected pods applied revision a1b2c3d4e5f60718.");
    assertThat(start.observedGeneration()).isEqualTo(3);
    assertThat(start.conditions())
        .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(3));

    ProxyRouteStatus halfway = RouteStatus.compute(start, 3, List.of(), rollout(4, 2, null), T1);
    // same statuses: times stay, only the message moves
    assertThat(line(halfway, ConditionTypes.READY))
        .isEqualTo("Ready=False RolloutInProgress since " + T0);
    assertThat(condition(halfway, ConditionTypes.PROGRAMMED).getMessage()).startsWith("2 of 4");

    ProxyRouteStatus done = RouteStatus.compute(halfway, 3, List.of(), rollout(4, 4, null), T2);
    assertThat(line(done, ConditionTypes.READY)).isEqualTo("Ready=True Applied since " + T2);
    assertThat(line(done, ConditionTypes.RECONCILING))
        .isEqualTo("Reconciling=False Applied since " + T2);
    assertThat(line(done, ConditionTypes.ACCEPTED)).isEqualTo("Accepted=True Accepted since " + T0);
    assertThat(done.rollout().lastGoodRevision()).isEqualTo("a1b2c3d4e5f60718");

    // nothing changed: the status is the same object by value, so nothing is written
    ProxyRouteStatus again = RouteStatus.compute(done, 3, List.of(), rollout(4, 4, null), T3);
    assertThat(RouteStatus.changed(done, again)).isFalse();
  }

  @Test
  void aRejectionStallsTheRolloutAndReadySaysWhy() {
    ProxyRouteStatus rolling = RouteStatus.compute(null, 4, List.of(), rollout(4, 2, null), T0);
    ProxyRouteStatus stalled =
        RouteStatus.compute(rolling, 4, List.of(), rollout(4, 2, "ConfigRejected"), T1);
    assertThat(line(stalled, ConditionTypes.STALLED))
        .isEqualTo("Stalled=True ConfigRejected since " + T1);
    assertThat(line(stalled, ConditionTypes.RECONCILING))
        .isEqualTo("Reconciling=False Applied since " + T1);
    assertThat(line(stalled, ConditionTypes.READY))
        .isEqualTo("Ready=False ConfigRejected since " + T0);
    assertThat(condition(stalled, ConditionTypes.READY).getMessage())
        .isEqualTo("pod shop/web-3 rejected revision a1b2c3d4e5f60718: x");
  }

  @Test
  void anUnresolvedReferenceIsAConditionNamingFieldAndValue() {
    RenderProblem missing =
        new RenderProblem(
            RenderProblem.Kind.PROXY_ROUTE,
            "shop",
            ConditionTypes.RESOLVED_REFS,
            "ServiceNotFound",
            "spec.rules[0].backend.service",
            "ghost:80",
            "a Service in namespace shop with that port");
    ProxyRouteStatus status =
        RouteStatus.compute(null, 1, List.of(missing), rollout(2, 0, null), T0);
    assertThat(line(status, ConditionTypes.RESOLVED_REFS))
        .isEqualTo("ResolvedRefs=False ServiceNotFound since " + T0);
    assertThat(condition(status, ConditionTypes.READY).getReason()).isEqualTo("ServiceNotFound");
    assertThat(condition(status, ConditionTypes.READY).getMessage())
        .isEqualTo(
            "spec.rules[0].backend.service: \"ghost:80\" (expected: a Service in namespace shop"
                + " with that port)");
    assertThat(line(status, ConditionTypes.ACCEPTED))
        .isEqualTo("Accepted=True Accepted since " + T0);
    // A reference may appear: kstatus readers (Flux) wait instead of calling it done or failed.
    assertThat(line(status, ConditionTypes.RECONCILING))
        .isEqualTo("Reconciling=True ServiceNotFound since " + T0);
    assertThat(line(status, ConditionTypes.STALLED)).isEqualTo("Stalled=False Applied since " + T0);
  }

  @Test
  void anInvalidSpecStallsUntilAHumanFixesIt() {
    RenderProblem conflict =
        new RenderProblem(
            RenderProblem.Kind.PROXY_ROUTE,
            "second",
            ConditionTypes.ACCEPTED,
            "PortConflict",
            "spec.listener.port",
            "8080",
            "a port no other ProxyRoute selecting the same pods uses (ProxyRoute first has it)");
    ProxyRouteStatus status =
        RouteStatus.compute(null, 1, List.of(conflict), rollout(2, 0, null), T0);
    assertThat(line(status, ConditionTypes.STALLED))
        .isEqualTo("Stalled=True PortConflict since " + T0);
    assertThat(line(status, ConditionTypes.RECONCILING))
        .isEqualTo("Reconciling=False Applied since " + T0);
    assertThat(condition(status, ConditionTypes.STALLED).getMessage())
        .isEqualTo(conflict.message());
    assertThat(line(status, ConditionTypes.READY))
        .isEqualTo("Ready=False PortConflict since " + T0);
  }

  @Test
  void noSelectedPodsIsNotProgrammedAndNotReconciling() {
    ProxyRouteStatus status = RouteStatus.compute(null, 1, List.of(), rollout(0, 0, null), T0);
    assertThat(line(status, ConditionTypes.PROGRAMMED))
        .isEqualTo("Programmed=False NoPodsSelected since " + T0);
    assertThat(line(status, ConditionTypes.RECONCILING))
        .isEqualTo("Reconciling=False Applied since " + T0);
    assertThat(line(status, ConditionTypes.READY))
        .isEqualTo("Ready=False NoPodsSelected since " + T0);
  }

  @Test
  void aNewGenerationIsObservedEvenWhenNothingElseChanges() {
    ProxyRouteStatus first = RouteStatus.compute(null, 1, List.of(), rollout(1, 1, null), T0);
    ProxyRouteStatus second = RouteStatus.compute(first, 2, List.of(), rollout(1, 1, null), T1);
    assertThat(RouteStatus.changed(first, second)).isTrue();
    assertThat(second.observedGeneration()).isEqualTo(2);
    assertThat(line(second, ConditionTypes.READY)).isEqualTo("Ready=True Applied since " + T0);
  }
}
