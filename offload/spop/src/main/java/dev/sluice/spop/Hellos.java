package dev.sluice.spop;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** HELLO frames as HAProxy sends them, and reading the fields both sides negotiate. */
public final class Hellos {
  public static final String VERSION = "2.0";
  public static final String PIPELINING = "pipelining";
  public static final int MIN_FRAME_SIZE = 256;

  /** A client HELLO: the fields and types of HAProxy's (UINT32 frame size, comma list, engine). */
  public static Frame.HaproxyHello client(int maxFrameSize, boolean pipelining, String engineId) {
    return new Frame.HaproxyHello(
        KvList.builder()
            .put("supported-versions", SpopValue.of(VERSION))
            .put("max-frame-size", new SpopValue.Uint32(maxFrameSize))
            .put("capabilities", SpopValue.of(pipelining ? PIPELINING : ""))
            .put("engine-id", SpopValue.of(engineId))
            .build());
  }

  /** A health-check HELLO: empty capabilities, no engine-id, healthcheck true. */
  public static Frame.HaproxyHello healthCheck(int maxFrameSize) {
    return new Frame.HaproxyHello(
        KvList.builder()
            .put("supported-versions", SpopValue.of(VERSION))
            .put("max-frame-size", new SpopValue.Uint32(maxFrameSize))
            .put("capabilities", SpopValue.of(""))
            .put("healthcheck", SpopValue.of(true))
            .build());
  }

  /** An agent HELLO. */
  public static Frame.AgentHello agent(int maxFrameSize, Set<String> capabilities) {
    return new Frame.AgentHello(
        KvList.builder()
            .put("version", SpopValue.of(VERSION))
            .put("max-frame-size", new SpopValue.Uint32(maxFrameSize))
            .put("capabilities", SpopValue.of(String.join(",", capabilities)))
            .build());
  }

  /** Capability tokens of a comma list (spaces around tokens tolerated); empty when absent. */
  public static Set<String> capabilities(KvList items) {
    SpopValue value = items.get("capabilities");
    Set<String> tokens = new LinkedHashSet<>();
    if (value instanceof SpopValue.Str s) {
      Arrays.stream(s.value().split(","))
          .map(t -> t.trim().toLowerCase(Locale.ROOT))
          .filter(t -> !t.isEmpty())
          .forEach(tokens::add);
    }
    return tokens;
  }

  /** The max-frame-size of any integer type; null when absent or not an integer. */
  public static @Nullable Long maxFrameSize(KvList items) {
    SpopValue value = items.get("max-frame-size");
    return value == null ? null : value.asLong();
  }

  /** True when a version string (e.g. " 2.0 ") has major 2. */
  public static boolean isVersion2(String version) {
    String v = version.trim();
    int dot = v.indexOf('.');
    return (dot < 0 ? v : v.substring(0, dot)).equals("2");
  }

  private Hellos() {}
}
