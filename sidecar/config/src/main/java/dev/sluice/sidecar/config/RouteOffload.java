package dev.sluice.sidecar.config;

import java.util.List;

/**
 * Sends messages of an agent for a route's requests.
 *
 * @param agent name of an entry of {@link SidecarConfig#agents()}
 * @param messages message names to send; empty: all of the agent's messages
 */
public record RouteOffload(String agent, List<String> messages) {

  public RouteOffload {
    messages = messages == null ? List.of() : List.copyOf(messages);
  }
}
