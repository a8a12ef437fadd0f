package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An SPOP offload agent, inlined.
 *
 * @param name unique name; rules refer to it
 * @param endpoints host:port of the agent instances, at least one
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

  /** What a request does when its offload fails. */
  public enum FailurePolicy {
    Allow,
    Deny
  }
}
