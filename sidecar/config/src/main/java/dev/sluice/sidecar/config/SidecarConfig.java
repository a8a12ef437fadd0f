package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Everything one sidecar runs. Rendered by the operator for a pod (with concrete endpoints, agents
 * inlined and secrets resolved), or written by hand for standalone mode.
 *
 * @param version the contract version the config requires: a sidecar speaking an older one refuses
 *     it (the operator never sends it one); 1 to {@link ContractVersions#CURRENT}
 * @param revision content hash (see {@link Revisions}); computed when absent
 * @param admin admin listener (readiness, metrics, reload)
 * @param drainTimeout how long an old generation may keep running requests after a reload or during
 *     shutdown (default 30s)
 * @param listeners downstream listeners, at least one
 * @param rules the rules of every route, matched in order per listener
 * @param agents SPOP offload agents rules refer to by name
 * @param origin where the config came from (contract 2, optional, information only); absent in
 *     hand-written configs
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SidecarConfig(
    Integer version,
    @Nullable String revision,
    AdminEndpoint admin,
    Duration drainTimeout,
    List<DownstreamListener> listeners,
    List<RouteRule> rules,
    List<Agent> agents,
    @Nullable ConfigOrigin origin) {
  static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

  public SidecarConfig {
    admin = admin == null ? AdminEndpoint.DEFAULT : admin;
    drainTimeout = drainTimeout == null ? DEFAULT_DRAIN_TIMEOUT : drainTimeout;
    listeners = listeners == null ? List.of() : List.copyOf(listeners);
    rules = rules == null ? List.of() : List.copyOf(rules);
    agents = agents == null ? List.of() : List.copyOf(agents);
  }

  /** The same config carrying {@code newRevision}. */
  public SidecarConfig withRevision(@Nullable String newRevision) {
    return new SidecarConfig(
        version, newRevision, admin, drainTimeout, listeners, rules, agents, origin);
  }

  /** The same config requiring contract {@code newVersion}. */
  public SidecarConfig withVersion(int newVersion) {
    return new SidecarConfig(
        newVersion, revision, admin, drainTimeout, listeners, rules, agents, origin);
  }

  /** Every cluster this config names (its rules' upstreams and its agents), sorted. */
  public SortedSet<String> clusterNames() {
    SortedSet<String> names = new TreeSet<>();
    for (RouteRule rule : rules) {
      for (Upstream upstream : rule.upstreams()) {
        if (upstream != null && upstream.cluster() != null) {
          names.add(upstream.cluster());
        }
      }
    }
    for (Agent agent : agents) {
      if (agent.cluster() != null) {
        names.add(agent.cluster());
      }
    }
    return names;
  }
}
