package dev.sluice.sidecar.runtime;

import dev.sluice.sidecar.config.RouteRule;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.Upstream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Whether a config differs from the running one in static upstream endpoints only (which, how many,
 * their order): such a change is applied to the running pools in place, without a reload.
 */
public final class StaticEndpointChange {
  /**
   * The new static endpoints by rule name when {@code next} differs from {@code running} in static
   * endpoints only; null when anything else differs (or nothing does).
   */
  public static @Nullable Map<String, List<String>> between(
      SidecarConfig running, SidecarConfig next) {
    if (running.withRevision(null).equals(next.withRevision(null))) {
      return null; // nothing changed: not this kind of change
    }
    if (!erased(running).equals(erased(next))) {
      return null;
    }
    Map<String, List<String>> byRule = new LinkedHashMap<>();
    for (RouteRule rule : next.rules()) {
      Upstream upstream = rule.upstream();
      if (upstream != null && upstream.cluster() == null) {
        byRule.put(rule.name(), upstream.endpoints());
      }
    }
    return byRule;
  }

  /** {@code config} with every static endpoint list emptied and no revision. */
  static SidecarConfig erased(SidecarConfig config) {
    List<RouteRule> rules = config.rules().stream().map(StaticEndpointChange::erased).toList();
    return new SidecarConfig(
        config.version(),
        null,
        config.admin(),
        config.drainTimeout(),
        config.listeners(),
        rules,
        config.agents(),
        config.origin());
  }

  private static RouteRule erased(RouteRule rule) {
    Upstream u = rule.upstream();
    if (u == null) {
      return rule; // a redirect: no endpoints
    }
    Upstream without =
        new Upstream(
            u.protocol(),
            List.of(),
            u.cluster(),
            u.tls(),
            u.maxConnectionsPerEndpoint(),
            u.loadBalancer(),
            u.outlierDetection());
    return rule.withUpstream(without);
  }

  private StaticEndpointChange() {}
}
