package dev.sluice.agent;

import dev.sluice.spop.Frame;
import dev.sluice.spop.Hellos;
import dev.sluice.spop.KvList;
import dev.sluice.spop.SpopException;
import dev.sluice.spop.SpopStatus;
import dev.sluice.spop.SpopValue;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The agent's side of HELLO (SPOP.md section 15): version 2.0 chosen when offered, frame size the
 * smaller of both offers and at least 256, capabilities the intersection of both. A HELLO that
 * cannot be accepted raises the status HAProxy's own checks would use.
 *
 * @param maxFrameSize negotiated frame size, both directions
 * @param capabilities negotiated capabilities
 * @param engineId the client's engine-id, or empty
 * @param healthCheck the client only checks that the agent answers
 */
record Negotiation(
    int maxFrameSize, Set<String> capabilities, String engineId, boolean healthCheck) {

  static Negotiation of(Frame.HaproxyHello hello, int ownMaxFrameSize, Set<String> supported) {
    KvList items = hello.items();
    SpopValue versions = items.get("supported-versions");
    if (!(versions instanceof SpopValue.Str offered)) {
      throw new SpopException(SpopStatus.NO_VERSION, "HELLO without supported-versions");
    }
    boolean has20 = false;
    for (String v : offered.value().split(",", -1)) {
      has20 |= v.trim().equals(Hellos.VERSION);
    }
    if (!has20) {
      throw new SpopException(
          SpopStatus.UNSUPPORTED_VERSION,
          "supported-versions \"" + offered.value() + "\" (expected: to include 2.0)");
    }
    Long offeredSize = Hellos.maxFrameSize(items);
    if (offeredSize == null) {
      throw new SpopException(SpopStatus.NO_MAX_FRAME_SIZE, "HELLO without max-frame-size");
    }
    if (offeredSize < Hellos.MIN_FRAME_SIZE) {
      throw new SpopException(
          SpopStatus.BAD_MAX_FRAME_SIZE,
          "max-frame-size " + offeredSize + " (expected: at least " + Hellos.MIN_FRAME_SIZE + ")");
    }
    Set<String> capabilities = new LinkedHashSet<>(Hellos.capabilities(items));
    capabilities.retainAll(supported);
    SpopValue engine = items.get("engine-id");
    SpopValue check = items.get("healthcheck");
    return new Negotiation(
        (int) Math.min(ownMaxFrameSize, offeredSize),
        capabilities,
        engine == null ? "" : engine.asText(),
        check instanceof SpopValue.Bool b && b.value());
  }

  Frame.AgentHello reply() {
    return Hellos.agent(maxFrameSize, capabilities);
  }
}
