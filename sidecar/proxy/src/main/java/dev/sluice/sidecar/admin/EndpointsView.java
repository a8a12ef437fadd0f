package dev.sluice.sidecar.admin;

import dev.sluice.sidecar.endpoints.EndpointSet;
import dev.sluice.sidecar.runtime.Generation;
import dev.sluice.sidecar.upstream.UpstreamPool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code endpoints} part of {@code /config}: the endpoint document's version, and each upstream
 * of the running generation with the rules using it and every endpoint's state, weight, whether it
 * takes new requests, and its requests in flight (sidecar-wide).
 */
final class EndpointsView {
  static Map<String, Object> of(Generation generation) {
    List<Map<String, Object>> upstreams = new ArrayList<>();
    generation.upstreams().forEach((pool, rules) -> upstreams.add(upstream(pool, rules)));
    Map<String, Object> view = new LinkedHashMap<>();
    String version = generation.endpointTable().version();
    if (version != null) {
      view.put("version", version);
    }
    view.put("upstreams", upstreams);
    return view;
  }

  private static Map<String, Object> upstream(UpstreamPool pool, List<String> rules) {
    Map<String, Object> upstream = new LinkedHashMap<>();
    upstream.put("rules", rules);
    String cluster = pool.config().cluster();
    upstream.put("cluster", cluster == null ? "(static)" : cluster);
    upstream.put("loadBalancer", pool.config().loadBalancerOrDefault());
    EndpointSet set = pool.endpoints();
    upstream.put("known", set.source() != null);
    List<Map<String, Object>> endpoints = new ArrayList<>();
    for (EndpointSet.Member member : set.members()) {
      Map<String, Object> endpoint = new LinkedHashMap<>();
      endpoint.put("address", member.target().address());
      endpoint.put("state", member.state().label());
      endpoint.put("eligible", set.serves(member.target()));
      endpoint.put("weight", member.endpoint().weight());
      if (member.endpoint().zone() != null) {
        endpoint.put("zone", member.endpoint().zone());
      }
      endpoint.put("inFlight", member.target().inFlight());
      endpoints.add(endpoint);
    }
    upstream.put("endpoints", endpoints);
    return upstream;
  }

  private EndpointsView() {}
}
