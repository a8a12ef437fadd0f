package dev.sluice.sidecar.admin;

import dev.sluice.sidecar.endpoints.EndpointSet;
import dev.sluice.sidecar.endpoints.OutlierDetector;
import dev.sluice.sidecar.offload.AgentClient;
import dev.sluice.sidecar.runtime.Generation;
import dev.sluice.sidecar.upstream.UpstreamPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code endpoints} part of {@code /config}: the endpoint document's version; each upstream of
 * the running generation with the rules using it, its outlier detection settings and every
 * endpoint's state, weight, whether it takes new requests (eligible by its conditions, and not
 * ejected), its requests in flight (sidecar-wide), and, when there are any, its failures in a row
 * and the ejection time left; and each agent with its cluster and every endpoint's state, whether
 * it takes new connections, and its health.
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
    List<Map<String, Object>> agents = new ArrayList<>();
    generation.agents().forEach((name, client) -> agents.add(agent(name, client)));
    view.put("agents", agents);
    return view;
  }

  private static Map<String, Object> agent(String name, AgentClient client) {
    var endpoints = client.endpoints();
    Map<String, Object> agent = new LinkedHashMap<>();
    agent.put("agent", name);
    agent.put("cluster", endpoints.cluster() == null ? "(static)" : endpoints.cluster());
    agent.put("known", endpoints.known());
    List<Map<String, Object>> members = new ArrayList<>();
    for (var member : endpoints.endpoints()) {
      Map<String, Object> endpoint = new LinkedHashMap<>();
      endpoint.put("address", member.address());
      endpoint.put("state", member.state());
      endpoint.put("eligible", member.eligible());
      if (member.health() != null) {
        endpoint.put("health", member.health());
      }
      members.add(endpoint);
    }
    agent.put("endpoints", members);
    return agent;
  }

  private static Map<String, Object> upstream(UpstreamPool pool, List<String> rules) {
    Map<String, Object> upstream = new LinkedHashMap<>();
    upstream.put("rules", rules);
    String cluster = pool.config().cluster();
    upstream.put("cluster", cluster == null ? "(static)" : cluster);
    upstream.put("loadBalancer", pool.config().loadBalancerOrDefault());
    upstream.put("outlierDetection", pool.config().outlierDetectionOrDefault());
    OutlierDetector outliers = pool.outliers();
    EndpointSet set = pool.endpoints();
    EndpointSet pickable = outliers.pickable(set); // returns the endpoints whose time is up
    upstream.put("known", set.source() != null);
    List<Map<String, Object>> endpoints = new ArrayList<>();
    for (EndpointSet.Member member : set.members()) {
      Map<String, Object> endpoint = new LinkedHashMap<>();
      endpoint.put("address", member.target().address());
      endpoint.put("state", member.state().label());
      endpoint.put("eligible", set.serves(member.target()));
      Duration ejected = outliers.ejectionLeft(member.target());
      if (ejected != null) {
        endpoint.put("ejectedForMillis", ejected.toMillis());
        endpoint.put("servedAnyway", pickable.serves(member.target()));
      }
      int failures = member.target().consecutiveFailures();
      if (failures > 0) {
        endpoint.put("failuresInARow", failures);
      }
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
