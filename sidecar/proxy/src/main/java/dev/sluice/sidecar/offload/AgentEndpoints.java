package dev.sluice.sidecar.offload;

import dev.sluice.sidecar.config.Endpoint;
import dev.sluice.sidecar.config.HostPort;
import dev.sluice.sidecar.endpoints.EndpointSet;
import dev.sluice.sidecar.endpoints.UpstreamEndpoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The endpoints an agent client may open connections to, each with its pacing and health: the
 * agent's static endpoints, or its cluster's as the endpoint table last gave them. Which of a
 * cluster's endpoints take new connections is read as for upstreams ({@link EndpointSet}: the ready
 * ones; the serving and terminating ones while none is ready). An endpoint that stops taking them
 * loses its state (a later return starts afresh: unchecked, no backoff). Confined to the client's
 * event loop.
 */
final class AgentEndpoints {
  /** One endpoint's pacing and health. */
  static final class State {
    final Backoff backoff = new Backoff();
    boolean up;
    boolean checked;
    boolean probing;
  }

  private final @Nullable String cluster;
  private final Map<HostPort, State> serving = new LinkedHashMap<>();
  private List<HostPort> order = List.of();
  private int next;
  private EndpointSet set;

  /** The static {@code endpoints}, or (with a {@code cluster}) none until the table tells. */
  AgentEndpoints(@Nullable String cluster, List<HostPort> endpoints) {
    this.cluster = cluster;
    this.set = EndpointSet.of(cluster, cluster == null ? statics(endpoints) : null, null);
    takeEligible();
  }

  private static List<Endpoint> statics(List<HostPort> endpoints) {
    return endpoints.stream().map(e -> Endpoint.ready(e.toString())).toList();
  }

  /**
   * Puts {@code endpoints} (null: the table has no entry for the cluster) in force; returns those
   * that take connections now and did not before.
   */
  List<HostPort> update(@Nullable List<Endpoint> endpoints) {
    set = EndpointSet.of(cluster, endpoints, set);
    return takeEligible();
  }

  private List<HostPort> takeEligible() {
    List<HostPort> now = set.eligible().stream().map(UpstreamEndpoint::hostPort).toList();
    serving.keySet().retainAll(now);
    List<HostPort> added = new ArrayList<>();
    for (HostPort endpoint : now) {
      if (serving.putIfAbsent(endpoint, new State()) == null) {
        added.add(endpoint);
      }
    }
    order = now;
    return added;
  }

  /** True when {@code endpoint} takes new connections. */
  boolean serves(HostPort endpoint) {
    return serving.containsKey(endpoint);
  }

  /** The state of an endpoint that takes new connections; null for any other. */
  @Nullable State state(HostPort endpoint) {
    return serving.get(endpoint);
  }

  /** The next endpoint in turn whose pacing allows a connection at {@code now}; null if none. */
  @Nullable HostPort next(long now) {
    for (int i = 0; i < order.size(); i++) {
      HostPort candidate = order.get(Math.floorMod(next++, order.size()));
      State state = serving.get(candidate);
      if (state != null && state.backoff.ready(now)) {
        return candidate;
      }
    }
    return null;
  }

  /** Why no endpoint takes connections (naming the cluster); null while one does. */
  @Nullable String whyNone() {
    return serving.isEmpty() ? set.whyNone() : null;
  }

  void forEach(BiConsumer<HostPort, State> action) {
    serving.forEach(action);
  }

  /**
   * The health of the endpoints that take connections; null until each was checked once, and while
   * the cluster is not known (before that, "none available" would be a guess).
   */
  @Nullable AgentHealth health() {
    if (set.source() == null || !serving.values().stream().allMatch(s -> s.checked)) {
      return null;
    }
    return new AgentHealth(
        serving.size(), (int) serving.values().stream().filter(s -> s.up).count());
  }

  boolean anyUp() {
    return serving.values().stream().anyMatch(s -> s.up);
  }

  AgentEndpointsView view() {
    List<AgentEndpointsView.Member> members = new ArrayList<>();
    for (EndpointSet.Member member : set.members()) {
      State state = serving.get(member.target().hostPort());
      members.add(
          new AgentEndpointsView.Member(
              member.target().address(),
              member.state().label(),
              state != null,
              state == null ? null : !state.checked ? "unchecked" : state.up ? "up" : "down"));
    }
    return new AgentEndpointsView(cluster, set.source() != null, members);
  }
}
