package dev.sluice.agent;

import dev.sluice.spop.Message;
import java.net.SocketAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One NOTIFY handed to an {@link AgentHandler}: the event's messages in configuration order.
 *
 * @param messages the messages (possibly none: HAProxy 3.1 could send an empty NOTIFY)
 * @param engineId the client's engine-id from its HELLO, or the empty string
 * @param peer the client connection's remote address
 */
public record Notification(List<Message> messages, String engineId, SocketAddress peer) {
  public Notification {
    messages = List.copyOf(messages);
  }

  /** The first message called {@code name}; null when there is none. */
  public @Nullable Message message(String name) {
    for (Message m : messages) {
      if (m.name().equals(name)) {
        return m;
      }
    }
    return null;
  }
}
