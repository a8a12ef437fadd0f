package dev.sluice.sidecar.runtime;

import dev.sluice.sidecar.config.Backend;
import dev.sluice.sidecar.config.RequestMirror;
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
   * The new static endpoints by upstream place (the rule's name for its upstream, {@code <rule>
   * backends[i]} for a weighted backend's, {@code <rule> mirrors[i]} for a mirror's) when {@code
   * next} differs from {@code running} in static endpoints only; null when anything else differs
   * (or nothing does).
   */
  public static @Nullable Map<String, List<String>> between(
      SidecarConfig running, SidecarConfig next) {
    if (running.withRevision(null).equals(next.withRevision(null))) {
      return null; // nothing changed: not this kind of change
    }
    if (!erased(running).equals(erased(next))) {
      return null;
    }
    Map<String, List<String>> byPlace = new LinkedHashMap<>();
    for (RouteRule rule : next.rules()) {
      UpstreamPlaces.of(rule)
          .forEach(
              (place, upstream) -> {
                if (upstream.cluster() == null) {
                  byPlace.put(place, upstream.endpoints());
                }
              });
    }
    return byPlace;
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
    Upstream upstream = rule.upstream();
    List<Backend> backends =
        rule.backends().stream()
            .map(
                b -> {
                  Upstream u = b.upstream();
                  return new Backend(
                      b.weight(), u == null ? null : UpstreamPlaces.erased(u), b.unavailable());
                })
            .toList();
    return new RouteRule(
        rule.name(),
        rule.listener(),
        rule.matches(),
        upstream == null ? null : UpstreamPlaces.erased(upstream),
        rule.timeouts(),
        rule.maxRequestBodyBytes(),
        rule.zeroCopy(),
        rule.offload(),
        rule.actions(),
        rule.upgrades(),
        rule.retry(),
        rule.accessLog(),
        rule.tracing(),
        rule.requestHeaders(),
        rule.responseHeaders(),
        rule.rewrite(),
        rule.redirect(),
        backends,
        rule.rateLimit(),
        rule.mirrors().stream()
            .map(
                m ->
                    new RequestMirror(
                        UpstreamPlaces.erased(m.upstream()),
                        m.percent(),
                        m.fraction(),
                        m.maxBodyBytes()))
            .toList(),
        rule.cors());
  }

  private StaticEndpointChange() {}
}
