package dev.sluice.sidecar.offload;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.config.Agent;
import dev.sluice.sidecar.config.AgentMessage;
import dev.sluice.sidecar.config.RouteRule;
import dev.sluice.sidecar.config.RuleOffload;
import dev.sluice.sidecar.config.SampleExpression;
import dev.sluice.sidecar.routing.RequestTarget;
import dev.sluice.spop.Message;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A rule's offload steps, compiled once per generation: for each step its agent client and the
 * messages it sends in each phase, with their samples parsed.
 */
public final class OffloadPlan implements Offload {
  public static final OffloadPlan NONE = new OffloadPlan(List.of());

  /** Request phase: before forwarding upstream; response phase: before answering downstream. */
  public enum Phase {
    REQUEST,
    RESPONSE
  }

  /** One argument: its name and where its value comes from. */
  record Argument(String name, SampleExpression sample) {}

  /** One message with its arguments. */
  record CompiledMessage(String name, List<Argument> args) {
    Message fetch(SampleSource source, RequestTarget target) {
      List<Message.Argument> values = new ArrayList<>(args.size());
      for (Argument a : args) {
        values.add(new Message.Argument(a.name(), Samples.fetch(a.sample(), source, target)));
      }
      return new Message(name, values);
    }
  }

  /** One agent's part. */
  record Step(
      AgentClient client,
      Agent agent,
      List<CompiledMessage> request,
      List<CompiledMessage> response) {
    List<CompiledMessage> messages(Phase phase) {
      return phase == Phase.REQUEST ? request : response;
    }
  }

  private final List<Step> steps;
  private final long requestBodyBytes;

  private OffloadPlan(List<Step> steps) {
    this.steps = List.copyOf(steps);
    long body = 0;
    for (Step step : steps) {
      for (CompiledMessage m : step.request()) {
        for (Argument a : m.args()) {
          body = Math.max(body, a.sample().bodyLimit());
        }
      }
    }
    this.requestBodyBytes = body;
  }

  /** The plan of {@code rule}; the config was validated, so every name resolves. */
  public static OffloadPlan compile(
      RouteRule rule, Map<String, Agent> agents, Map<String, AgentClient> clients) {
    if (rule.offload().isEmpty()) {
      return NONE;
    }
    List<Step> steps = new ArrayList<>();
    for (RuleOffload offload : rule.offload()) {
      Agent agent = requireNonNull(agents.get(offload.agent()));
      List<CompiledMessage> request = new ArrayList<>();
      List<CompiledMessage> response = new ArrayList<>();
      for (AgentMessage message : agent.messages()) {
        if (!offload.messages().isEmpty() && !offload.messages().contains(message.name())) {
          continue;
        }
        List<Argument> args =
            message.args().stream()
                .map(a -> new Argument(a.name(), SampleExpression.parse(a.value())))
                .toList();
        (message.event() == AgentMessage.Event.Response ? response : request)
            .add(new CompiledMessage(message.name(), args));
      }
      steps.add(new Step(requireNonNull(clients.get(agent.name())), agent, request, response));
    }
    return new OffloadPlan(steps);
  }

  List<Step> steps() {
    return steps;
  }

  @Override
  public boolean has(Phase phase) {
    for (Step step : steps) {
      if (!step.messages(phase).isEmpty()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public long requestBodyBytes() {
    return requestBodyBytes;
  }

  @Override
  public Future<PhaseOutcome> run(
      Phase phase,
      EventExecutor loop,
      SampleSource source,
      RequestTarget target,
      Variables variables) {
    return OffloadPhase.run(this, phase, loop, source, target, variables);
  }
}
