package dev.sluice.sidecar.offload;

import dev.sluice.sidecar.config.Agent;
import dev.sluice.sidecar.config.AgentVariables;
import dev.sluice.sidecar.routing.RequestTarget;
import dev.sluice.spop.Message;
import dev.sluice.spop.SpopValue;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one phase of a plan for one request: the steps in order, each one NOTIFY with all of the
 * phase's messages for that agent. After each outcome the agent's bookkeeping variables are set
 * (processing time; the error code on failure, like {@code set-on-error}); the actions of an ACK
 * land in their scopes under the agent's prefix; a failed step under failure policy Deny ends the
 * phase with the agent's deny status. Every wait is bounded by the agent's processing timeout.
 */
public final class OffloadPhase {
  private final OffloadPlan plan;
  private final OffloadPlan.Phase phase;
  private final EventExecutor loop;
  private final SampleSource source;
  private final RequestTarget target;
  private final Variables variables;
  private final Promise<PhaseOutcome> outcome;
  private int next;

  private OffloadPhase(
      OffloadPlan plan,
      OffloadPlan.Phase phase,
      EventExecutor loop,
      SampleSource source,
      RequestTarget target,
      Variables variables) {
    this.plan = plan;
    this.phase = phase;
    this.loop = loop;
    this.source = source;
    this.target = target;
    this.variables = variables;
    this.outcome = loop.newPromise();
  }

  /** Starts the phase; the future completes on {@code loop}. */
  public static Future<PhaseOutcome> run(
      OffloadPlan plan,
      OffloadPlan.Phase phase,
      EventExecutor loop,
      SampleSource source,
      RequestTarget target,
      Variables variables) {
    OffloadPhase run = new OffloadPhase(plan, phase, loop, source, target, variables);
    run.step();
    return run.outcome;
  }

  private void step() {
    List<OffloadPlan.Step> steps = plan.steps();
    while (next < steps.size() && steps.get(next).messages(phase).isEmpty()) {
      next++;
    }
    if (next >= steps.size()) {
      outcome.trySuccess(PhaseOutcome.CONTINUE);
      return;
    }
    OffloadPlan.Step step = steps.get(next++);
    List<Message> messages = new ArrayList<>();
    for (OffloadPlan.CompiledMessage m : step.messages(phase)) {
      messages.add(m.fetch(source, target));
    }
    step.client().send(loop, messages).addListener(f -> onResult(step, (OffloadResult) f.getNow()));
  }

  private void onResult(OffloadPlan.Step step, OffloadResult result) {
    Agent agent = step.agent();
    AgentVariables names = agent.variables();
    String prefix = "txn." + names.prefix() + '.';
    if (names.processTime() != null) {
      variables.set(prefix + names.processTime(), SpopValue.of(result.millis()));
    }
    if (result.ok()) {
      variables.apply(result.actions(), names.prefix());
      step();
      return;
    }
    if (names.onError() != null) {
      variables.set(prefix + names.onError(), SpopValue.of(result.error()));
    }
    if (agent.failurePolicy() == Agent.FailurePolicy.Deny) {
      outcome.trySuccess(
          new PhaseOutcome(
              agent.denyStatus(),
              "offload agent "
                  + agent.name()
                  + " failed (error "
                  + result.error()
                  + "): "
                  + result.detail()));
      return;
    }
    step();
  }
}
