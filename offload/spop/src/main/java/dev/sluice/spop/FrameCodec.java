package dev.sluice.spop;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes frames. Decoding reads exactly one frame (the bytes after the 4-byte length)
 * and checks every length against what is left, so malformed input costs at most the frame's own
 * size and ends in a {@link SpopException} carrying the status to disconnect with.
 */
public final class FrameCodec {
  /** The smallest frame: type, flags, two one-byte ids. */
  public static final int MIN_FRAME = 7;

  /** Writes the length prefix and the frame; returns the frame length (without the prefix). */
  public static int encode(Frame frame, ByteBuf out) {
    int lengthAt = out.writerIndex();
    out.writeInt(0);
    int start = out.writerIndex();
    out.writeByte(frame.type());
    out.writeInt(Frame.FLAG_FIN);
    if (frame instanceof Frame.Notify notify) {
      Varint.write(out, notify.streamId());
      Varint.write(out, notify.frameId());
      for (Message message : notify.messages()) {
        TypedData.writeString(out, message.name());
        if (message.args().size() > 255) {
          throw new IllegalArgumentException(
              "message " + message.name() + ": more than 255 arguments");
        }
        out.writeByte(message.args().size());
        for (Message.Argument arg : message.args()) {
          TypedData.writeString(out, arg.name());
          TypedData.write(out, arg.value());
        }
      }
    } else if (frame instanceof Frame.Ack ack) {
      Varint.write(out, ack.streamId());
      Varint.write(out, ack.frameId());
      for (Action action : ack.actions()) {
        if (action instanceof Action.SetVar set) {
          out.writeByte(Action.SET_VAR).writeByte(3).writeByte(set.scope().code());
          TypedData.writeString(out, set.name());
          TypedData.write(out, set.value());
        } else {
          out.writeByte(Action.UNSET_VAR).writeByte(2).writeByte(action.scope().code());
          TypedData.writeString(out, action.name());
        }
      }
    } else {
      out.writeByte(0).writeByte(0);
      if (frame instanceof Frame.HaproxyHello hello) {
        writeKv(out, hello.items());
      } else if (frame instanceof Frame.AgentHello hello) {
        writeKv(out, hello.items());
      } else if (frame instanceof Frame.HaproxyDisconnect d) {
        writeKv(out, disconnectItems(d.status(), d.message()));
      } else if (frame instanceof Frame.AgentDisconnect d) {
        writeKv(out, disconnectItems(d.status(), d.message()));
      } else {
        throw new IllegalArgumentException("cannot send " + frame);
      }
    }
    int length = out.writerIndex() - start;
    out.setInt(lengthAt, length);
    return length;
  }

  /** Decodes one frame from all readable bytes of {@code frame} (the length prefix removed). */
  public static Frame decode(ByteBuf frame) {
    if (frame.readableBytes() < MIN_FRAME) {
      throw SpopException.invalid(
          "frame of " + frame.readableBytes() + " bytes (expected: at least " + MIN_FRAME + ")");
    }
    int type = frame.readUnsignedByte();
    int flags = frame.readInt();
    long streamId = Varint.read(frame, "stream-id");
    long frameId = Varint.read(frame, "frame-id");
    if ((flags & Frame.FLAG_FIN) == 0 || type == 0) {
      throw new SpopException(
          SpopStatus.FRAGMENTATION_NOT_SUPPORTED,
          "fragmented frame (type " + type + ", FIN clear): fragmentation was not negotiated");
    }
    return switch (type) {
      case Frame.HAPROXY_HELLO -> {
        connectionLevel(type, streamId, frameId);
        yield new Frame.HaproxyHello(readKv(frame));
      }
      case Frame.AGENT_HELLO -> {
        connectionLevel(type, streamId, frameId);
        yield new Frame.AgentHello(readKv(frame));
      }
      case Frame.HAPROXY_DISCONNECT -> {
        connectionLevel(type, streamId, frameId);
        KvList items = readKv(frame);
        yield new Frame.HaproxyDisconnect(status(items), message(items));
      }
      case Frame.AGENT_DISCONNECT -> {
        connectionLevel(type, streamId, frameId);
        KvList items = readKv(frame);
        yield new Frame.AgentDisconnect(status(items), message(items));
      }
      case Frame.NOTIFY -> new Frame.Notify(streamId, frameId, readMessages(frame));
      case Frame.ACK -> readAck(frame, streamId, frameId);
      default -> {
        frame.skipBytes(frame.readableBytes());
        yield new Frame.Unknown(type, streamId, frameId);
      }
    };
  }

  private static void connectionLevel(int type, long streamId, long frameId) {
    if (streamId != 0 || frameId != 0) {
      throw SpopException.invalid(
          "frame type "
              + type
              + " with stream-id "
              + streamId
              + " frame-id "
              + frameId
              + " (expected: 0 and 0)");
    }
  }

  private static KvList disconnectItems(int status, String message) {
    return KvList.builder()
        .put("status-code", new SpopValue.Uint32(status & 0xFFFF_FFFFL))
        .put("message", SpopValue.of(message == null ? "" : message))
        .build();
  }

  private static int status(KvList items) {
    SpopValue status = items.get("status-code");
    Long code = status == null ? null : status.asLong();
    if (code == null) {
      throw SpopException.invalid("DISCONNECT without an integer status-code");
    }
    return (int) (long) code;
  }

  private static String message(KvList items) {
    SpopValue message = items.get("message");
    return message == null ? "" : message.asText();
  }

  private static void writeKv(ByteBuf out, KvList items) {
    for (KvList.Entry e : items.entries()) {
      TypedData.writeString(out, e.name());
      TypedData.write(out, e.value());
    }
  }

  private static KvList readKv(ByteBuf in) {
    KvList.Builder items = KvList.builder();
    while (in.isReadable()) {
      String name = TypedData.readString(in, "key name");
      items.put(name, TypedData.read(in, "value of " + name));
    }
    return items.build();
  }

  private static List<Message> readMessages(ByteBuf in) {
    List<Message> messages = new ArrayList<>();
    while (in.isReadable()) {
      String name = TypedData.readString(in, "message name");
      if (!in.isReadable()) {
        throw SpopException.invalid("message " + name + ": frame ends before the argument count");
      }
      int count = in.readUnsignedByte();
      List<Message.Argument> args = new ArrayList<>(Math.min(count, in.readableBytes()));
      for (int i = 0; i < count; i++) {
        String argName = TypedData.readString(in, "message " + name + " argument " + i);
        args.add(
            new Message.Argument(argName, TypedData.read(in, "message " + name + " " + argName)));
      }
      messages.add(new Message(name, args));
    }
    return messages;
  }

  /** Reads actions until the end or the first one not understood (kept: those before it). */
  private static Frame.Ack readAck(ByteBuf in, long streamId, long frameId) {
    List<Action> actions = new ArrayList<>();
    String stoppedAt = null;
    try {
      while (in.isReadable()) {
        int actionType = in.readUnsignedByte();
        if (!in.isReadable()) {
          stoppedAt = "action " + actionType + " without an argument count";
          break;
        }
        int args = in.readUnsignedByte();
        if (!((actionType == Action.SET_VAR && args == 3)
            || (actionType == Action.UNSET_VAR && args == 2))) {
          stoppedAt = "unknown action type " + actionType + " with " + args + " arguments";
          break;
        }
        if (!in.isReadable()) {
          stoppedAt = "action " + actionType + " without a scope";
          break;
        }
        int scopeCode = in.readUnsignedByte();
        Scope scope = Scope.of(scopeCode);
        if (scope == null) {
          stoppedAt = "variable scope " + scopeCode + " (expected: 0..4)";
          break;
        }
        String name = TypedData.readString(in, "variable name");
        if (actionType == Action.SET_VAR) {
          actions.add(new Action.SetVar(scope, name, TypedData.read(in, "value of " + name)));
        } else {
          actions.add(new Action.UnsetVar(scope, name));
        }
      }
    } catch (SpopException e) {
      stoppedAt = e.getMessage();
    }
    in.skipBytes(in.readableBytes());
    return new Frame.Ack(streamId, frameId, actions, stoppedAt);
  }

  private FrameCodec() {}
}
