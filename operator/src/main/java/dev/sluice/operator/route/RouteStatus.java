package dev.sluice.operator.route;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.v1alpha1.ConditionTypes;
import dev.sluice.api.v1alpha1.ProxyRouteStatus;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.api.v1alpha1.RolloutStatus;
import dev.sluice.operator.render.RenderProblem;
import dev.sluice.operator.rollout.RolloutState;
import dev.sluice.operator.status.Conditions;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A ProxyRoute's status as a pure function of what the reconcile found: its render problems and its
 * rollout. {@code Ready} is the summary {@code kubectl wait --for=condition=Ready} waits on:
 * accepted, references resolved, applied by every selected pod, not stalled. {@code Reconciling}
 * and {@code Stalled} are abnormal-true, as kstatus (and so Flux and Argo CD) read them.
 */
public final class RouteStatus {
  private RouteStatus() {}

  public static ProxyRouteStatus compute(
      @Nullable ProxyRouteStatus previous,
      long generation,
      List<RenderProblem> problems,
      RolloutState rollout,
      String now) {
    return compute(previous, generation, problems, rollout, now, 0);
  }

  /** As above, with how many HTTPRoutes attached to the route (0: the field left out). */
  static ProxyRouteStatus compute(
      @Nullable ProxyRouteStatus previous,
      long generation,
      List<RenderProblem> problems,
      RolloutState rollout,
      String now,
      int attachedRoutes) {
    RenderProblem notAccepted = Conditions.first(problems, ConditionTypes.ACCEPTED);
    RenderProblem unresolved = Conditions.first(problems, ConditionTypes.RESOLVED_REFS);
    Conditions.Desired accepted = Conditions.accepted(notAccepted);
    Conditions.Desired resolved =
        Conditions.resolvedRefs(
            unresolved, "Every Service, Secret and OffloadAgent it names resolves.");
    Conditions.Desired programmed = programmed(rollout);
    Conditions.Desired reconciling = reconciling(notAccepted, unresolved, rollout);
    Conditions.Desired stalled = stalled(notAccepted, rollout);
    Conditions.Desired ready = ready(accepted, resolved, programmed, stalled);
    var conditions =
        Conditions.merge(
            previous == null ? null : previous.conditions(),
            List.of(ready, accepted, resolved, programmed, reconciling, stalled),
            generation,
            now);
    return new ProxyRouteStatus(
        generation,
        conditions,
        rollout.targetRevision(),
        new RolloutStatus(
            rollout.targetRevision(),
            rollout.lastGoodRevision(),
            rollout.selectedPods(),
            rollout.updatedPods(),
            rollout.readyPods(),
            rollout.failedPods()),
        attachedRoutes == 0 ? null : attachedRoutes);
  }

  /**
   * Programmed: every selected pod applied the target — or is a new pod catching up to a target the
   * others applied (a scale-up is not a rollout of the route: Ready stays True).
   */
  private static Conditions.Desired programmed(RolloutState rollout) {
    if (rollout.selectedPods() == 0) {
      return new Conditions.Desired(
          ConditionTypes.PROGRAMMED,
          false,
          Reasons.NO_PODS_SELECTED,
          "The selector picks no pod with a Sluice sidecar.");
    }
    if (rollout.catchingUp() && rollout.rolledOut()) {
      return new Conditions.Desired(
          ConditionTypes.PROGRAMMED,
          true,
          Reasons.APPLIED,
          rollout.updatedPods()
              + " of "
              + rollout.selectedPods()
              + " selected pods applied revision "
              + rollout.targetRevision()
              + "; the others are new and catching up.");
    }
    if (rollout.complete()) {
      return new Conditions.Desired(
          ConditionTypes.PROGRAMMED,
          true,
          Reasons.APPLIED,
          "All "
              + rollout.selectedPods()
              + " selected pods applied revision "
              + rollout.targetRevision()
              + ".");
    }
    return new Conditions.Desired(
        ConditionTypes.PROGRAMMED,
        false,
        rollout.stalledReason() != null ? rollout.stalledReason() : Reasons.ROLLOUT_IN_PROGRESS,
        rollout.updatedPods()
            + " of "
            + rollout.selectedPods()
            + " selected pods applied revision "
            + rollout.targetRevision()
            + ".");
  }

  /**
   * kstatus reads only Reconciling and Stalled: an invalid spec needs a human (Stalled); a
   * reference that does not resolve yet may appear (Reconciling: GitOps tools wait, then time out),
   * as does a rollout in progress — of a revision the pods have not all applied before, not new
   * pods catching up to one they have.
   */
  private static Conditions.Desired reconciling(
      @Nullable RenderProblem notAccepted,
      @Nullable RenderProblem unresolved,
      RolloutState rollout) {
    boolean reconciling = notAccepted == null && (unresolved != null || rollout.rollingOut());
    return new Conditions.Desired(
        ConditionTypes.RECONCILING,
        reconciling,
        !reconciling
            ? Reasons.APPLIED
            : unresolved != null ? unresolved.reason() : Reasons.ROLLOUT_IN_PROGRESS,
        !reconciling
            ? "Nothing to roll out."
            : unresolved != null
                ? "Waiting for a reference: " + unresolved.message()
                : "Rolling out revision " + rollout.targetRevision() + ".");
  }

  /** Stalled: the spec is not accepted, or the rollout stopped. */
  private static Conditions.Desired stalled(
      @Nullable RenderProblem notAccepted, RolloutState rollout) {
    String stalledReason = rollout.stalledReason();
    boolean stuck = stalledReason != null || notAccepted != null;
    return new Conditions.Desired(
        ConditionTypes.STALLED,
        stuck,
        notAccepted != null
            ? notAccepted.reason()
            : stalledReason != null ? stalledReason : Reasons.APPLIED,
        notAccepted != null
            ? notAccepted.message()
            : stalledReason != null
                ? requireNonNull(rollout.stalledMessage(), "a stalled rollout says why")
                : "The rollout is not stuck.");
  }

  /** Ready summarizes: the first condition that is not as it should be gives reason and message. */
  private static Conditions.Desired ready(
      Conditions.Desired accepted,
      Conditions.Desired resolved,
      Conditions.Desired programmed,
      Conditions.Desired stalled) {
    for (Conditions.Desired c : List.of(stalled, accepted, resolved, programmed)) {
      boolean bad = c.type().equals(ConditionTypes.STALLED) ? c.isTrue() : !c.isTrue();
      if (bad) {
        return new Conditions.Desired(ConditionTypes.READY, false, c.reason(), c.message());
      }
    }
    return new Conditions.Desired(
        ConditionTypes.READY, true, Reasons.APPLIED, programmed.message());
  }

  /** True when writing {@code next} over {@code current} would change anything (else: no write). */
  public static boolean changed(ProxyRouteStatus current, ProxyRouteStatus next) {
    return !Objects.equals(current, next);
  }
}
