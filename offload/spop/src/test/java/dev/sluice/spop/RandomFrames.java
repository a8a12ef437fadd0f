package dev.sluice.spop;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Generates well-formed frames of every type with random content, for the property tests. */
final class RandomFrames {
  private final SplittableRandom random;

  RandomFrames(SplittableRandom random) {
    this.random = random;
  }

  Frame frame() {
    return switch (random.nextInt(7)) {
      case 0 -> Hellos.client(256 + random.nextInt(65536), random.nextBoolean(), string(40));
      case 1 -> Hellos.healthCheck(256 + random.nextInt(65536));
      case 2 -> new Frame.AgentHello(kv());
      case 3 -> new Frame.HaproxyDisconnect(random.nextInt(300), string(20));
      case 4 -> new Frame.AgentDisconnect(random.nextInt(300), string(20));
      case 5 -> new Frame.Notify(id(), id(), messages());
      default -> new Frame.Ack(id(), id(), actions());
    };
  }

  private long id() {
    return random.nextBoolean() ? random.nextInt(300) : random.nextLong() >>> random.nextInt(64);
  }

  private KvList kv() {
    KvList.Builder b = KvList.builder();
    for (int i = random.nextInt(5); i > 0; i--) {
      b.put(string(15), value());
    }
    return b.build();
  }

  private List<Message> messages() {
    List<Message> messages = new ArrayList<>();
    for (int i = random.nextInt(4); i > 0; i--) {
      List<Message.Argument> args = new ArrayList<>();
      for (int j = random.nextInt(6); j > 0; j--) {
        args.add(new Message.Argument(string(10), value()));
      }
      messages.add(new Message(string(20), args));
    }
    return messages;
  }

  private List<Action> actions() {
    List<Action> actions = new ArrayList<>();
    for (int i = random.nextInt(5); i > 0; i--) {
      Scope scope = Scope.of(random.nextInt(5));
      actions.add(
          random.nextBoolean()
              ? Action.set(scope, string(20), value())
              : Action.unset(scope, string(20)));
    }
    return actions;
  }

  SpopValue value() {
    try {
      return switch (random.nextInt(10)) {
        case 0 -> SpopValue.NULL;
        case 1 -> SpopValue.of(random.nextBoolean());
        case 2 -> new SpopValue.Int32(random.nextInt());
        case 3 -> new SpopValue.Uint32(random.nextLong(0x1_0000_0000L));
        case 4 -> SpopValue.of(random.nextLong());
        case 5 -> new SpopValue.Uint64(random.nextLong());
        case 6 -> SpopValue.of(InetAddress.getByAddress(bytes(4)));
        case 7 -> {
          byte[] v6 = bytes(16);
          v6[0] = 0x20; // never IPv4-mapped, which the JDK would turn into an Inet4Address
          yield SpopValue.of(InetAddress.getByAddress(v6));
        }
        case 8 -> SpopValue.of(string(300));
        default -> new SpopValue.Binary(bytes(random.nextInt(300)));
      };
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  String string(int max) {
    StringBuilder s = new StringBuilder();
    for (int i = random.nextInt(max + 1); i > 0; i--) {
      s.append((char) ('a' + random.nextInt(26)));
    }
    return s.toString();
  }

  byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
