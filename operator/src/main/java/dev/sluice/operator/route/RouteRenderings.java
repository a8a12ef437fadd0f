package dev.sluice.operator.route;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.operator.render.RenderInput;
import dev.sluice.operator.render.RenderProblem;
import dev.sluice.operator.render.Renderer;
import dev.sluice.operator.render.Rendering;
import dev.sluice.sidecar.config.ConfigProblem;
import dev.sluice.sidecar.config.SidecarConfigValidator;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The config each set of ProxyRoutes renders to, rendered once per set in a pass. A config the
 * sidecar's own validation would refuse is never handed out: its rendering comes back without a
 * config and with an {@code Accepted=False} problem for each of its routes.
 */
final class RouteRenderings {
  private final NamespaceRollout.Input in;
  private final Map<String, ProxyRoute> routes;
  private final Map<List<String>, Rendering> renderings = new HashMap<>();

  /** {@code routes}: the namespace's valid ProxyRoutes by name. */
  RouteRenderings(NamespaceRollout.Input in, Map<String, ProxyRoute> routes) {
    this.in = in;
    this.routes = routes;
  }

  /** The rendering of the routes {@code names} (a pod's config: the routes selecting it). */
  Rendering of(List<String> names) {
    return renderings.computeIfAbsent(
        names, k -> validated(render(k), k, in.defaults().contract().newest()));
  }

  /** Every rendering made so far. */
  Collection<Rendering> all() {
    return renderings.values();
  }

  private Rendering render(List<String> names) {
    List<ProxyRoute> selected = names.stream().map(routes::get).toList();
    return Renderer.render(
        new RenderInput(
            in.namespace(),
            selected,
            in.agents(),
            in.endpoints(),
            in.secrets(),
            in.configMaps(),
            in.attached()),
        in.defaults());
  }

  /**
   * The rendering as handed out, or with a null config and an Accepted=False problem per route when
   * the validation of a sidecar speaking the operator's newest contract would refuse it.
   */
  private static Rendering validated(Rendering rendering, List<String> names, int newest) {
    // Checked as a sidecar of the newest contract reads it; older ones get their own view of it.
    List<ConfigProblem> refused =
        SidecarConfigValidator.validate(
            requireNonNull(rendering.config(), "the renderer always makes a config"), newest);
    if (refused.isEmpty()) {
      return rendering;
    }
    List<RenderProblem> all = new ArrayList<>(rendering.problems());
    ConfigProblem first = refused.get(0);
    for (String name : names) {
      all.add(
          RenderProblem.notAccepted(
              RenderProblem.Kind.PROXY_ROUTE,
              name,
              Reasons.INVALID_SPEC,
              "rendered config " + first.path(),
              first.found(),
              first.expected()));
    }
    return new Rendering(null, all);
  }
}
