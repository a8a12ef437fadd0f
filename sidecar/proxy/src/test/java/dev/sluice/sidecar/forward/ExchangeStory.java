package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.config.InvalidConfigException;
import dev.sluice.sidecar.offload.OffloadPlan;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** One story: what happens to the exchange, then what must be true. */
record ExchangeStory(Set<OffloadPlan.Phase> offload, Consumer<ExchangeHarness> script) {
  /**
   * Runs the script on a fresh harness whose fakes add what they are handed to {@code owned}, for
   * the test to release afterwards.
   */
  void run(List<Object> owned) throws InvalidConfigException {
    script.accept(new ExchangeHarness(offload, owned));
  }
}
