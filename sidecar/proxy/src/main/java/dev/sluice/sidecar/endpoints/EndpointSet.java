package dev.sluice.sidecar.endpoints;

import dev.sluice.sidecar.config.Endpoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The endpoints of one upstream at one moment, immutable: every endpoint with its state, and the
 * ones that take new requests (eligible) with their weights. An update builds a new set; endpoints
 * whose address stays keep their {@link UpstreamEndpoint} (and so their in-flight count).
 *
 * <p>Eligible, as Kubernetes (kube-proxy) has it: the ready endpoints; when none is ready, the
 * serving and terminating ones; otherwise none.
 */
public final class EndpointSet {
  /** One endpoint with its conditions. */
  public record Member(UpstreamEndpoint target, Endpoint endpoint, EndpointState state) {}

  private final @Nullable String cluster;
  private final @Nullable List<Endpoint> source;
  private final List<Member> members;
  private final List<UpstreamEndpoint> eligible;
  private final int[] weights;
  private final Set<UpstreamEndpoint> eligibleSet;

  private EndpointSet(
      @Nullable String cluster,
      @Nullable List<Endpoint> source,
      List<Member> members,
      List<UpstreamEndpoint> eligible,
      int[] weights) {
    this.cluster = cluster;
    this.source = source;
    this.members = List.copyOf(members);
    this.eligible = List.copyOf(eligible);
    this.weights = weights;
    Set<UpstreamEndpoint> set = Collections.newSetFromMap(new IdentityHashMap<>());
    set.addAll(eligible);
    this.eligibleSet = set;
  }

  /**
   * The set for {@code endpoints} ({@code null}: the cluster has no entry yet), reusing {@code
   * previous}'s endpoint objects for addresses that stay.
   */
  public static EndpointSet of(
      @Nullable String cluster,
      @Nullable List<Endpoint> endpoints,
      @Nullable EndpointSet previous) {
    Map<String, UpstreamEndpoint> known = new HashMap<>();
    if (previous != null) {
      previous.members.forEach(m -> known.put(m.target().address(), m.target()));
    }
    List<Member> members = new ArrayList<>();
    List<Endpoint> list = endpoints == null ? List.of() : endpoints;
    for (Endpoint endpoint : list) {
      UpstreamEndpoint target = known.computeIfAbsent(endpoint.address(), UpstreamEndpoint::new);
      members.add(new Member(target, endpoint, EndpointState.of(endpoint)));
    }
    // As eligible(list) says: the ready ones, else the terminating (and serving) ones.
    EndpointState serving =
        members.stream().anyMatch(m -> m.state() == EndpointState.READY)
            ? EndpointState.READY
            : EndpointState.TERMINATING;
    List<Member> chosen = members.stream().filter(m -> m.state() == serving).toList();
    List<UpstreamEndpoint> eligible = new ArrayList<>(chosen.size());
    int[] weights = new int[chosen.size()];
    for (int i = 0; i < chosen.size(); i++) {
      eligible.add(chosen.get(i).target());
      weights[i] = chosen.get(i).endpoint().weight();
    }
    return new EndpointSet(cluster, endpoints, members, eligible, weights);
  }

  /**
   * This set with the endpoints of {@code ejected} taking no new request: the same members, fewer
   * eligible. This set itself when none of them is eligible, or when every eligible one is (an
   * upstream is never made unusable by ejections: it then serves from them all).
   */
  EndpointSet without(Set<UpstreamEndpoint> ejected) {
    List<UpstreamEndpoint> kept = new ArrayList<>(eligible.size());
    List<Integer> keptWeights = new ArrayList<>(eligible.size());
    for (int i = 0; i < eligible.size(); i++) {
      if (!ejected.contains(eligible.get(i))) {
        kept.add(eligible.get(i));
        keptWeights.add(weights[i]);
      }
    }
    if (kept.isEmpty() || kept.size() == eligible.size()) {
      return this;
    }
    int[] w = keptWeights.stream().mapToInt(Integer::intValue).toArray();
    return new EndpointSet(cluster, source, members, kept, w);
  }

  /** The endpoints of {@code all} that take new requests, in their order. */
  public static List<Endpoint> eligible(List<Endpoint> all) {
    List<Endpoint> ready = all.stream().filter(Endpoint::ready).toList();
    if (!ready.isEmpty()) {
      return ready;
    }
    return all.stream().filter(e -> EndpointState.of(e) == EndpointState.TERMINATING).toList();
  }

  /** The endpoints it was built from; null when its cluster had no entry. */
  public @Nullable List<Endpoint> source() {
    return source;
  }

  public List<Member> members() {
    return members;
  }

  /** The endpoints that take new requests, in document order. */
  public List<UpstreamEndpoint> eligible() {
    return eligible;
  }

  /** The weight of {@code eligible().get(i)}. */
  public int weight(int i) {
    return weights[i];
  }

  /** True when {@code target} takes new requests in this set. */
  public boolean serves(UpstreamEndpoint target) {
    return eligibleSet.contains(target);
  }

  /** Why no endpoint takes requests, naming the cluster (for the 503). */
  public String whyNone() {
    String name = cluster == null ? "the static endpoints" : "cluster " + cluster;
    if (source == null) {
      return name + " is not known yet (no endpoints received for it)";
    }
    if (members.isEmpty()) {
      return name + " has no endpoint";
    }
    return name + " has no ready or serving endpoint (" + members.size() + " not serving)";
  }

  /** How many endpoints are in {@code state}. */
  public long count(EndpointState state) {
    return members.stream().filter(m -> m.state() == state).count();
  }
}
