package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.config.InvalidConfigException;
import dev.sluice.sidecar.offload.OffloadPlan;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One story: what happens to the exchange, then what must be true. The script drives the
 * transitions on an {@link ExchangeHarness} and checks how the exchange ended: what the downstream
 * was told, how every lease was given back, that the request was counted out once, and that every
 * buffer it was handed was released.
 */
record ExchangeStory(Set<OffloadPlan.Phase> offload, Consumer<ExchangeHarness> script) {
  /** Runs the script on a fresh harness, then releases what its fakes were handed and kept. */
  void run() throws InvalidConfigException {
    List<Object> owned = new ArrayList<>();
    try {
      script.accept(new ExchangeHarness(offload, owned));
    } finally {
      owned.forEach(ReferenceCountUtil::release);
    }
  }
}
