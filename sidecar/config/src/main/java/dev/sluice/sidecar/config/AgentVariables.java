package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * Variable naming for an agent.
 *
 * @param prefix the agent's variable prefix (default: its name with '-' as '_')
 * @param onError if set, {@code txn.<prefix>.<onError>} holds the error of a failed event
 * @param processTime if set, {@code txn.<prefix>.<processTime>} holds the last event's ms
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentVariables(
    String prefix, @Nullable String onError, @Nullable String processTime) {

  // NullAway: an agent without a name (an invalid config) gets no default prefix either; the
  // validator reports both as missing before anything uses them.
  @SuppressWarnings("NullAway")
  static AgentVariables withDefaultPrefix(@Nullable AgentVariables variables, String agentName) {
    String defaultPrefix = agentName == null ? null : agentName.replace('-', '_');
    if (variables == null) {
      return new AgentVariables(defaultPrefix, null, null);
    }
    if (variables.prefix() == null) {
      return new AgentVariables(defaultPrefix, variables.onError(), variables.processTime());
    }
    return variables;
  }
}
