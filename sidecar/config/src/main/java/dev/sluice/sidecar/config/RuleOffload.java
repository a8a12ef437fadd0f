package dev.sluice.sidecar.config;

import java.util.List;

/**
 * Sends messages of an agent for a rule's requests.
 *
 * @param agent name of an entry of {@link SidecarConfig#agents()}
 * @param messages message names to send; empty: all of the agent's messages
 */
public record RuleOffload(String agent, List<String> messages) {

  public RuleOffload {
    messages = messages == null ? List.of() : List.copyOf(messages);
  }
}
