package dev.sluice.sidecar.offload;

import dev.sluice.sidecar.config.Agent;
import dev.sluice.sidecar.config.HostPort;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An agent's settings as the client uses them, resolved from the config once.
 *
 * @param name the agent's name
 * @param endpoints where its instances listen (static endpoints; empty for a cluster)
 * @param cluster the cluster whose endpoints the client follows; null for static endpoints
 * @param maxConnections connections at most, across endpoints
 * @param pipelining offer pipelining
 * @param maxInFlightPerConnection NOTIFYs in flight per pipelined connection
 * @param maxFrameSize offered frame size
 * @param helloTimeout longest wait for AGENT-HELLO (connect included)
 * @param idleTimeout an unused connection closes after this
 * @param processingTimeout budget of one event, from the request's point of view
 * @param healthInterval time between health-check HELLOs per endpoint
 * @param engineId this client's engine-id (one per agent client)
 */
public record AgentSettings(
    String name,
    List<HostPort> endpoints,
    @Nullable String cluster,
    int maxConnections,
    boolean pipelining,
    int maxInFlightPerConnection,
    int maxFrameSize,
    Duration helloTimeout,
    Duration idleTimeout,
    Duration processingTimeout,
    Duration healthInterval,
    String engineId) {

  /** Health checks run this often per endpoint unless a test says otherwise. */
  public static final Duration HEALTH_INTERVAL = Duration.ofSeconds(2);

  public AgentSettings {
    endpoints = List.copyOf(endpoints);
  }

  public static AgentSettings of(Agent agent) {
    return new AgentSettings(
        agent.name(),
        agent.endpoints().stream().map(HostPort::parse).toList(),
        agent.cluster(),
        agent.maxConnections(),
        agent.pipelining(),
        agent.maxInFlightPerConnection(),
        agent.maxFrameSize(),
        agent.timeouts().hello(),
        agent.timeouts().idle(),
        agent.timeouts().processing(),
        HEALTH_INTERVAL,
        UUID.randomUUID().toString());
  }
}
