package dev.sluice.operator.agent;

import dev.sluice.api.v1alpha1.ConditionTypes;
import dev.sluice.api.v1alpha1.OffloadAgentStatus;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.operator.render.RenderProblem;
import dev.sluice.operator.status.Conditions;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An OffloadAgent's status as a pure function of its problems, its endpoints, the routes that use
 * it and what the sidecars report of its health. {@code Available} is Unknown until a sidecar that
 * uses the agent reports; True when one reports an endpoint passing SPOP health checks.
 */
public final class AgentStatus {
  private AgentStatus() {}

  /**
   * The health sidecars reported.
   *
   * @param reporters sidecars that reported on this agent (0: Available is Unknown)
   * @param availableEndpoints the most endpoints any of them found healthy
   */
  public record Health(int reporters, int availableEndpoints) {
    public static final Health UNKNOWN = new Health(0, 0);
  }

  public static OffloadAgentStatus compute(
      @Nullable OffloadAgentStatus previous,
      long generation,
      List<RenderProblem> problems,
      int endpoints,
      int routes,
      Health health,
      String now) {
    RenderProblem notAccepted = Conditions.first(problems, ConditionTypes.ACCEPTED);
    RenderProblem unresolved = Conditions.first(problems, ConditionTypes.RESOLVED_REFS);
    Conditions.Desired accepted = Conditions.accepted(notAccepted);
    Conditions.Desired resolved =
        Conditions.resolvedRefs(unresolved, endpoints + " agent endpoints resolved.");
    Conditions.Desired available = available(health, endpoints, routes);
    boolean stalled = notAccepted != null;
    Conditions.Desired stalledCondition =
        new Conditions.Desired(
            ConditionTypes.STALLED,
            stalled,
            notAccepted != null ? notAccepted.reason() : Reasons.ACCEPTED,
            notAccepted != null ? notAccepted.message() : "Nothing is stuck.");
    Conditions.Desired reconciling =
        new Conditions.Desired(
            ConditionTypes.RECONCILING, false, Reasons.APPLIED, "Nothing to roll out.");
    Conditions.Desired ready = ready(accepted, resolved, available, health);
    var conditions =
        Conditions.merge(
            previous == null ? null : previous.conditions(),
            List.of(ready, accepted, resolved, available, reconciling, stalledCondition),
            generation,
            now);
    return new OffloadAgentStatus(
        generation,
        conditions,
        endpoints,
        health.reporters() == 0 ? null : health.availableEndpoints(),
        routes);
  }

  /** Available: Unknown until a sidecar reports; True when one finds an endpoint healthy. */
  private static Conditions.Desired available(Health health, int endpoints, int routes) {
    if (health.reporters() == 0) {
      return Conditions.Desired.unknown(
          ConditionTypes.AVAILABLE,
          Reasons.HEALTH_UNKNOWN,
          routes == 0
              ? "No ProxyRoute uses the agent, so no sidecar checks its health."
              : "No sidecar has reported the agent's health yet.");
    }
    if (health.availableEndpoints() > 0) {
      return new Conditions.Desired(
          ConditionTypes.AVAILABLE,
          true,
          Reasons.AVAILABLE,
          health.availableEndpoints() + " of " + endpoints + " endpoints pass SPOP health checks.");
    }
    return new Conditions.Desired(
        ConditionTypes.AVAILABLE,
        false,
        Reasons.NO_HEALTHY_ENDPOINTS,
        "None of "
            + endpoints
            + " endpoints passes SPOP health checks ("
            + health.reporters()
            + " sidecars reporting).");
  }

  /** Ready: accepted, resolved, and not reported unhealthy. */
  private static Conditions.Desired ready(
      Conditions.Desired accepted,
      Conditions.Desired resolved,
      Conditions.Desired available,
      Health health) {
    if (!accepted.isTrue()) {
      return new Conditions.Desired(
          ConditionTypes.READY, false, accepted.reason(), accepted.message());
    }
    if (!resolved.isTrue()) {
      return new Conditions.Desired(
          ConditionTypes.READY, false, resolved.reason(), resolved.message());
    }
    if (health.reporters() > 0 && health.availableEndpoints() == 0) {
      return new Conditions.Desired(
          ConditionTypes.READY, false, available.reason(), available.message());
    }
    // Unknown health does not hold Ready back: an agent no route uses yet is still usable.
    return new Conditions.Desired(ConditionTypes.READY, true, Reasons.RESOLVED, resolved.message());
  }
}
