package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An SPOP offload agent: its static endpoints, or a cluster whose endpoints arrive on their own
 * ({@link ClusterEndpoints}) and change without a reload, as an {@link Upstream}'s do.
 *
 * @param name unique name; rules refer to it
 * @param endpoints host:port of the agent instances, each a ready endpoint; either these or {@code
 *     cluster}
 * @param cluster the name of a cluster whose endpoints a {@link ClusterEndpoints} gives (the
 *     operator names a Service's port {@code <namespace>/<service>:<port>}, as for upstreams);
 *     either this or {@code endpoints}; absent stays absent, so a config that does not say reads
 *     and hashes as before
 * @param maxConnections connections to the agent at most (default 8)
 * @param pipelining offer pipelining (default true)
 * @param maxInFlightPerConnection NOTIFY frames in flight per pipelined connection (default 20)
 * @param maxFrameSize frame size offered in HELLO, 256..1048576 (default 16380)
 * @param timeouts hello, idle and processing timeouts
 * @param messages the messages rules may send
 * @param variables variable prefix and bookkeeping variables
 * @param failurePolicy Allow or Deny when the agent fails (default Allow)
 * @param denyStatus status under Deny (default 503)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Agent(
    String name,
    List<String> endpoints,
    @Nullable String cluster,
    Integer maxConnections,
    Boolean pipelining,
    Integer maxInFlightPerConnection,
    Integer maxFrameSize,
    SpopTimeouts timeouts,
    List<AgentMessage> messages,
    AgentVariables variables,
    FailurePolicy failurePolicy,
    Integer denyStatus) {

  public Agent {
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
    maxConnections = maxConnections == null ? 8 : maxConnections;
    pipelining = pipelining == null ? Boolean.TRUE : pipelining;
    maxInFlightPerConnection = maxInFlightPerConnection == null ? 20 : maxInFlightPerConnection;
    maxFrameSize = maxFrameSize == null ? 16380 : maxFrameSize;
    messages = messages == null ? List.of() : List.copyOf(messages);
    variables = AgentVariables.withDefaultPrefix(variables, name);
    failurePolicy = failurePolicy == null ? FailurePolicy.Allow : failurePolicy;
    denyStatus = denyStatus == null ? 503 : denyStatus;
  }

  /**
   * The static endpoints as {@link Endpoint}s; empty for a cluster, whose endpoints come from a
   * {@link ClusterEndpoints}.
   */
  public List<Endpoint> staticEndpoints() {
    return endpoints.stream().map(Endpoint::ready).toList();
  }

  /** What a request does when its offload fails. */
  public enum FailurePolicy {
    Allow,
    Deny
  }
}
