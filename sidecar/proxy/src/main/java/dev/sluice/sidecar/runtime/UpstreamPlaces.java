package dev.sluice.sidecar.runtime;

import dev.sluice.sidecar.config.Backend;
import dev.sluice.sidecar.config.RequestMirror;
import dev.sluice.sidecar.config.RouteRule;
import dev.sluice.sidecar.config.Upstream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a rule names upstreams, each by a place name: the rule's name for its {@code upstream},
 * {@code <rule> backends[i]} for a weighted backend, {@code <rule> mirrors[i]} for a mirror. The
 * admin view lists a pool's users by these names; in-place endpoint changes are matched by them.
 */
final class UpstreamPlaces {
  /** {@code rule}'s upstreams by place, in config order. */
  static Map<String, Upstream> of(RouteRule rule) {
    Map<String, Upstream> places = new LinkedHashMap<>();
    Upstream upstream = rule.upstream();
    if (upstream != null) {
      places.put(rule.name(), upstream);
    }
    List<Backend> backends = rule.backends();
    for (int i = 0; i < backends.size(); i++) {
      Upstream backend = backends.get(i).upstream();
      if (backend != null) {
        places.put(rule.name() + " backends[" + i + "]", backend);
      }
    }
    List<RequestMirror> mirrors = rule.mirrors();
    for (int i = 0; i < mirrors.size(); i++) {
      places.put(rule.name() + " mirrors[" + i + "]", mirrors.get(i).upstream());
    }
    return places;
  }

  /** {@code upstream} with no static endpoints: what stays when only those change. */
  static Upstream erased(Upstream upstream) {
    return new Upstream(
        upstream.protocol(),
        List.of(),
        upstream.cluster(),
        upstream.tls(),
        upstream.maxConnectionsPerEndpoint(),
        upstream.loadBalancer(),
        upstream.outlierDetection());
  }

  private UpstreamPlaces() {}
}
