package dev.sluice.spop;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A decoded SPOP frame. Every frame this library sends or accepts has the FIN flag: fragmentation
 * is never offered and a fragment is a protocol error ({@link
 * SpopStatus#FRAGMENTATION_NOT_SUPPORTED}).
 */
public sealed interface Frame {
  int HAPROXY_HELLO = 1;
  int HAPROXY_DISCONNECT = 2;
  int NOTIFY = 3;
  int AGENT_HELLO = 101;
  int AGENT_DISCONNECT = 102;
  int ACK = 103;

  /** FIN flag: last (here: only) fragment of a payload. */
  int FLAG_FIN = 1;

  /** Wire type id. */
  int type();

  /** HAPROXY-HELLO: the client's offer. */
  record HaproxyHello(KvList items) implements Frame {
    @Override
    public int type() {
      return HAPROXY_HELLO;
    }
  }

  /** AGENT-HELLO: the agent's choice. */
  record AgentHello(KvList items) implements Frame {
    @Override
    public int type() {
      return AGENT_HELLO;
    }
  }

  /** HAPROXY-DISCONNECT. */
  record HaproxyDisconnect(int status, String message) implements Frame {
    @Override
    public int type() {
      return HAPROXY_DISCONNECT;
    }
  }

  /** AGENT-DISCONNECT. */
  record AgentDisconnect(int status, String message) implements Frame {
    @Override
    public int type() {
      return AGENT_DISCONNECT;
    }
  }

  /** NOTIFY: all messages of one event. */
  record Notify(long streamId, long frameId, List<Message> messages) implements Frame {
    public Notify {
      messages = List.copyOf(messages);
    }

    @Override
    public int type() {
      return NOTIFY;
    }
  }

  /**
   * ACK: the actions answering the NOTIFY with the same ids.
   *
   * @param stoppedAt null when every action was understood; otherwise why reading stopped (an
   *     unknown or malformed action: the actions before it are kept, the rest dropped, as HAProxy
   *     does)
   */
  record Ack(long streamId, long frameId, List<Action> actions, @Nullable String stoppedAt)
      implements Frame {
    public Ack {
      actions = List.copyOf(actions);
    }

    public Ack(long streamId, long frameId, List<Action> actions) {
      this(streamId, frameId, actions, null);
    }

    @Override
    public int type() {
      return ACK;
    }
  }

  /** A frame type this library does not know; the protocol says it may be skipped. */
  record Unknown(int type, long streamId, long frameId) implements Frame {}
}
