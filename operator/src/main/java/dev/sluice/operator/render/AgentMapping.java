package dev.sluice.operator.render;

import static dev.sluice.operator.render.RouteMapping.duration;

import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.OffloadAgentSpec;
import dev.sluice.sidecar.config.Agent;
import dev.sluice.sidecar.config.AgentMessage;
import dev.sluice.sidecar.config.AgentVariables;
import dev.sluice.sidecar.config.SpopTimeouts;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An OffloadAgent whose endpoints resolved (to a cluster, or inline), mapped to the sidecar
 * contract's agent entry (named after the agent; its variables prefixed with its name, dashes as
 * underscores, unless it sets a prefix). Pure: no lookups, no problems.
 */
final class AgentMapping {
  private AgentMapping() {}

  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  static Agent agent(OffloadAgent agent, List<String> endpoints, @Nullable String cluster) {
    String name = agent.getMetadata().getName();
    OffloadAgentSpec spec = agent.getSpec();
    var spop = spec.spop();
    var timeouts = spec.timeouts();
    var variables = spec.variables();
    return new Agent(
        Names.of(name),
        endpoints,
        cluster,
        spop == null ? null : spop.maxConnections(),
        spop == null ? null : spop.pipelining(),
        spop == null ? null : spop.maxInFlightPerConnection(),
        spop == null ? null : spop.maxFrameSize(),
        timeouts == null
            ? null
            : new SpopTimeouts(
                duration(timeouts.hello()),
                duration(timeouts.idle()),
                duration(timeouts.processing())),
        messages(spec),
        new AgentVariables(
            variables != null && variables.prefix() != null
                ? variables.prefix()
                : name.replace('-', '_'),
            variables == null ? null : variables.onError(),
            variables == null ? null : variables.processTime()),
        spec.failurePolicy() == null
            ? null
            : Agent.FailurePolicy.valueOf(spec.failurePolicy().name()),
        spec.denyStatus());
  }

  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  private static List<AgentMessage> messages(OffloadAgentSpec spec) {
    List<AgentMessage> messages = new ArrayList<>();
    if (spec.messages() != null) {
      for (var m : spec.messages()) {
        messages.add(
            new AgentMessage(
                m.name(),
                m.event() == null ? null : AgentMessage.Event.valueOf(m.event().name()),
                m.args() == null
                    ? null
                    : m.args().stream()
                        .map(a -> new AgentMessage.Argument(a.name(), a.value()))
                        .toList()));
      }
    }
    return messages;
  }
}
