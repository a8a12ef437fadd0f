package dev.sluice.sidecar.config;

import java.util.List;

/**
 * A message: name, when it is sent, and its arguments.
 *
 * @param name message name
 * @param event Request (before forwarding) or Response (before answering downstream)
 * @param args named arguments, in order
 */
public record AgentMessage(String name, Event event, List<Argument> args) {

  public AgentMessage {
    event = event == null ? Event.Request : event;
    args = args == null ? List.of() : List.copyOf(args);
  }

  /** When a message is sent. */
  public enum Event {
    Request,
    Response
  }

  /**
   * A named argument.
   *
   * @param name argument name
   * @param value sample expression (see {@link SampleExpression})
   */
  public record Argument(String name, String value) {}
}
