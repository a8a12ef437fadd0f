package dev.sluice.operator.route;

import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.operator.cluster.Selectors;
import dev.sluice.operator.render.RenderProblem;
import java.util.List;

/**
 * A ProxyRoute's selector as Kubernetes validates it. The CRD refuses a malformed one, but a route
 * stored before that rule (or by an API server that does not apply it) still reaches the operator:
 * it is left out whole with {@code Accepted=False InvalidSpec} naming the field and value, and the
 * namespace's other routes reconcile as usual.
 */
final class SelectorChecks {
  private SelectorChecks() {}

  static List<RenderProblem> check(ProxyRoute route) {
    if (route.getSpec() == null) {
      return List.of(); // SpecChecks reports the missing spec
    }
    return Selectors.problems(route.getSpec().selector()).stream()
        .map(
            p ->
                RenderProblem.notAccepted(
                    RenderProblem.Kind.PROXY_ROUTE,
                    route.getMetadata().getName(),
                    Reasons.INVALID_SPEC,
                    "spec.selector." + p.field(),
                    p.found(),
                    p.expected()))
        .toList();
  }
}
