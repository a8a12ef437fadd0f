package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.offload.Offload;
import dev.sluice.sidecar.offload.OffloadPlan;
import dev.sluice.sidecar.offload.PhaseOutcome;
import dev.sluice.sidecar.offload.SampleSource;
import dev.sluice.sidecar.offload.Variables;
import dev.sluice.sidecar.routing.RequestTarget;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.Set;

/** An offload whose phases finish when the test says. */
final class FakeOffload implements Offload {
  final Set<OffloadPlan.Phase> phases;
  final EventLoop loop;
  Promise<PhaseOutcome> running;

  FakeOffload(Set<OffloadPlan.Phase> phases, EventLoop loop) {
    this.phases = phases;
    this.loop = loop;
  }

  @Override
  public boolean has(OffloadPlan.Phase phase) {
    return phases.contains(phase);
  }

  @Override
  public long requestBodyBytes() {
    return 0;
  }

  @Override
  public Future<PhaseOutcome> run(
      OffloadPlan.Phase phase,
      EventExecutor executor,
      SampleSource source,
      RequestTarget target,
      Variables variables) {
    assertThat(running).as("one phase at a time").isNull();
    running = loop.newPromise();
    return running;
  }

  void finish(PhaseOutcome outcome) {
    Promise<PhaseOutcome> phase = running;
    running = null;
    phase.setSuccess(outcome);
  }
}
