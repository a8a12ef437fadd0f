package dev.sluice.operator.status;

import dev.sluice.api.v1alpha1.ConditionTypes;
import dev.sluice.api.v1alpha1.OffloadAgentStatus;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.operator.render.RenderProblem;
import java.util.List;

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
      OffloadAgentStatus previous,
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
    Conditions.Desired available;
    if (health.reporters() == 0) {
      available =
          Conditions.Desired.unknown(
              ConditionTypes.AVAILABLE,
              Reasons.HEALTH_UNKNOWN,
              routes == 0
                  ? "No ProxyRoute uses the agent, so no sidecar checks its health."
                  : "No sidecar has reported the agent's health yet.");
    } else if (health.availableEndpoints() > 0) {
      available =
          new Conditions.Desired(
              ConditionTypes.AVAILABLE,
              true,
              Reasons.AVAILABLE,
              health.availableEndpoints()
                  + " of "
                  + endpoints
                  + " endpoints pass SPOP health checks.");
    } else {
      available =
          new Conditions.Desired(
              ConditionTypes.AVAILABLE,
              false,
              Reasons.NO_HEALTHY_ENDPOINTS,
              "None of "
                  + endpoints
                  + " endpoints passes SPOP health checks ("
                  + health.reporters()
                  + " sidecars reporting).");
    }
    boolean stalled = notAccepted != null;
    Conditions.Desired stalledCondition =
        new Conditions.Desired(
            ConditionTypes.STALLED,
            stalled,
            stalled ? notAccepted.reason() : Reasons.ACCEPTED,
            stalled ? notAccepted.message() : "Nothing is stuck.");
    Conditions.Desired reconciling =
        new Conditions.Desired(
            ConditionTypes.RECONCILING, false, Reasons.APPLIED, "Nothing to roll out.");
    Conditions.Desired ready;
    if (!accepted.isTrue()) {
      ready =
          new Conditions.Desired(
              ConditionTypes.READY, false, accepted.reason(), accepted.message());
    } else if (!resolved.isTrue()) {
      ready =
          new Conditions.Desired(
              ConditionTypes.READY, false, resolved.reason(), resolved.message());
    } else if (health.reporters() > 0 && health.availableEndpoints() == 0) {
      ready =
          new Conditions.Desired(
              ConditionTypes.READY, false, available.reason(), available.message());
    } else {
      // Unknown health does not hold Ready back: an agent no route uses yet is still usable.
      ready =
          new Conditions.Desired(ConditionTypes.READY, true, Reasons.RESOLVED, resolved.message());
    }
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
}
