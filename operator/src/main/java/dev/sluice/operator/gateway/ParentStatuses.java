package dev.sluice.operator.gateway;

import dev.sluice.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatusBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An HTTPRoute's {@code status.parents} with this controller's entries as a pass found them: one
 * per ProxyRoute parentRef, with {@code Accepted}, {@code ResolvedRefs} and, when some rules were
 * left out, {@code PartiallyInvalid}; every other controller's entry kept as it is. A condition
 * keeps its transition time while its status stays.
 */
final class ParentStatuses {
  private ParentStatuses() {}

  static List<RouteParentStatus> next(
      HTTPRoute route, List<HttpRouteAttachments.ParentOutcome> outcomes, String now) {
    List<RouteParentStatus> current =
        route.getStatus() == null || route.getStatus().getParents() == null
            ? List.of()
            : route.getStatus().getParents();
    long generation =
        route.getMetadata().getGeneration() == null ? 0 : route.getMetadata().getGeneration();
    List<RouteParentStatus> out = new ArrayList<>();
    for (RouteParentStatus entry : current) {
      if (!GatewayApi.CONTROLLER_NAME.equals(entry.getControllerName())) {
        out.add(entry);
      }
    }
    for (HttpRouteAttachments.ParentOutcome outcome : outcomes) {
      RouteParentStatus previous = find(current, outcome.ref());
      out.add(
          new RouteParentStatusBuilder()
              .withParentRef(outcome.ref())
              .withControllerName(GatewayApi.CONTROLLER_NAME)
              .withConditions(
                  Conditions.merge(
                      previous == null ? null : previous.getConditions(),
                      desired(outcome),
                      generation,
                      now))
              .build());
    }
    return out;
  }

  static List<Conditions.Desired> desired(HttpRouteAttachments.ParentOutcome outcome) {
    List<Conditions.Desired> out = new ArrayList<>();
    Problem refused = outcome.accepted();
    out.add(
        refused == null
            ? new Conditions.Desired(
                GatewayReasons.ACCEPTED,
                true,
                GatewayReasons.ACCEPTED,
                "Attached to ProxyRoute "
                    + outcome.ref().getName()
                    + ": "
                    + outcome.served()
                    + " rule(s) served after its own rules."
                    + unweighted(outcome.unweighted()))
            : new Conditions.Desired(
                GatewayReasons.ACCEPTED, false, refused.reason(), refused.message()));
    Problem unresolved = outcome.unresolved().isEmpty() ? null : outcome.unresolved().get(0);
    out.add(
        unresolved == null
            ? new Conditions.Desired(
                GatewayReasons.RESOLVED_REFS,
                true,
                GatewayReasons.RESOLVED_REFS,
                "Every backendRef resolved.")
            : new Conditions.Desired(
                GatewayReasons.RESOLVED_REFS,
                false,
                unresolved.reason(),
                unresolved.message() + more(outcome.unresolved().size())));
    if (refused == null && !outcome.invalid().isEmpty()) {
      Problem invalid = outcome.invalid().get(0);
      out.add(
          new Conditions.Desired(
              GatewayReasons.PARTIALLY_INVALID,
              true,
              invalid.reason(),
              "Left out: " + invalid.message() + more(outcome.invalid().size())));
    }
    return out;
  }

  /** The rules whose every backendRef weighs 0, said where the route is accepted. */
  private static String unweighted(List<String> fields) {
    return fields.isEmpty()
        ? ""
        : " "
            + String.join(", ", fields)
            + ": every weight is 0 (expected: a weight above 0 to send requests; Gateway API"
            + " answers them 500).";
  }

  private static String more(int count) {
    return count > 1 ? " (and " + (count - 1) + " more)" : "";
  }

  private static @Nullable RouteParentStatus find(
      List<RouteParentStatus> entries, ParentReference ref) {
    for (RouteParentStatus entry : entries) {
      if (GatewayApi.CONTROLLER_NAME.equals(entry.getControllerName())
          && same(entry.getParentRef(), ref)) {
        return entry;
      }
    }
    return null;
  }

  private static boolean same(@Nullable ParentReference a, ParentReference b) {
    return a != null
        && Objects.equals(a.getGroup(), b.getGroup())
        && Objects.equals(a.getKind(), b.getKind())
        && Objects.equals(a.getNamespace(), b.getNamespace())
        && Objects.equals(a.getName(), b.getName())
        && Objects.equals(a.getSectionName(), b.getSectionName())
        && Objects.equals(a.getPort(), b.getPort());
  }

  /** Whether the route's status holds an entry of this controller's. */
  static boolean hasOurs(HTTPRoute route) {
    return route.getStatus() != null
        && route.getStatus().getParents() != null
        && route.getStatus().getParents().stream()
            .anyMatch(p -> GatewayApi.CONTROLLER_NAME.equals(p.getControllerName()));
  }

  /** Whether {@code next} differs from what the route's status says. */
  static boolean changed(HTTPRoute route, List<RouteParentStatus> next) {
    List<RouteParentStatus> current =
        route.getStatus() == null || route.getStatus().getParents() == null
            ? List.of()
            : route.getStatus().getParents();
    return !current.equals(next);
  }
}
