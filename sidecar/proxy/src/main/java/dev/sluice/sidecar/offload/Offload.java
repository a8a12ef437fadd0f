package dev.sluice.sidecar.offload;

import dev.sluice.sidecar.routing.RequestTarget;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

/**
 * What an exchange asks of its rule's offload steps: which phases have messages, how many request
 * body bytes the request phase needs, and one phase run. {@link OffloadPlan} is the real one; an
 * exchange test gives its own.
 */
public interface Offload {
  /** True when some step sends messages in {@code phase}. */
  boolean has(OffloadPlan.Phase phase);

  /** Request body bytes the request phase needs before its NOTIFY (0: none). */
  long requestBodyBytes();

  /** Runs {@code phase} for one request; the future completes on {@code loop}, never failed. */
  Future<PhaseOutcome> run(
      OffloadPlan.Phase phase,
      EventExecutor loop,
      SampleSource source,
      RequestTarget target,
      Variables variables);
}
