package dev.sluice.operator.agent;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.OffloadAgentStatus;
import dev.sluice.api.v1alpha1.OffloadStep;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.api.v1alpha1.Rule;
import dev.sluice.operator.cluster.EndpointIndex;
import dev.sluice.operator.cluster.Informers;
import dev.sluice.operator.metrics.OperatorMetrics;
import dev.sluice.operator.pods.AgentHealthRecord;
import dev.sluice.operator.pods.PodRecord;
import dev.sluice.operator.render.Names;
import dev.sluice.operator.render.RenderInput;
import dev.sluice.operator.render.RenderProblem;
import dev.sluice.operator.render.Renderer;
import dev.sluice.operator.render.ServiceKey;
import dev.sluice.operator.render.ServicePortEndpoints;
import dev.sluice.operator.status.EventRecorder;
import dev.sluice.operator.status.StatusWriter;
import dev.sluice.operator.status.Timestamps;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Reconciles OffloadAgents into their status: validate → resolve endpoints → count the ProxyRoutes
 * using it → fold in the health the sidecars report. Agents reach sidecars through the ProxyRoutes
 * that use them; this reconciler only reports. Its events: the namespace's Services,
 * EndpointSlices, ProxyRoutes and sidecar pods.
 */
@ControllerConfiguration(name = OffloadAgentReconciler.NAME)
public final class OffloadAgentReconciler implements Reconciler<OffloadAgent> {
  public static final String NAME = "offloadagent";

  private final StatusWriter statuses;
  private final EventRecorder events;
  private final Clock clock;
  private final OperatorMetrics metrics;

  public OffloadAgentReconciler(
      StatusWriter statuses, EventRecorder events, Clock clock, OperatorMetrics metrics) {
    this.statuses = statuses;
    this.events = events;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public UpdateControl<OffloadAgent> reconcile(OffloadAgent agent, Context<OffloadAgent> context) {
    String namespace = agent.getMetadata().getNamespace();
    String name = agent.getMetadata().getName();
    Map<ServiceKey, ServicePortEndpoints> endpoints =
        EndpointIndex.build(
            Informers.list(context, Service.class, namespace),
            Informers.list(context, EndpointSlice.class, namespace));
    List<RenderProblem> problems =
        Renderer.checkAgent(
            agent, new RenderInput(namespace, List.of(), Map.of(), endpoints, Map.of(), Map.of()));
    int resolved = problems.isEmpty() ? endpointCount(agent, endpoints) : 0;
    int routes =
        (int)
            Informers.list(context, ProxyRoute.class, namespace).stream()
                .filter(r -> uses(r, name))
                .count();
    AgentStatus.Health health =
        health(Informers.list(context, Pod.class, namespace), Names.of(name));
    OffloadAgentStatus current = agent.getStatus();
    OffloadAgentStatus next =
        AgentStatus.compute(
            current,
            agent.getMetadata().getGeneration() == null ? 0 : agent.getMetadata().getGeneration(),
            problems,
            resolved,
            routes,
            health,
            Timestamps.of(clock.instant()));
    if (statuses.write(agent, current, next)) {
      events.transitions(
          agent,
          current == null ? null : current.conditions(),
          next.conditions(),
          Reasons.RESOLVED);
    }
    metrics.reconciled("OffloadAgent", problems.isEmpty() ? "resolved" : "unresolved");
    return UpdateControl.noUpdate();
  }

  private static int endpointCount(
      OffloadAgent agent, Map<ServiceKey, ServicePortEndpoints> endpoints) {
    var spec = agent.getSpec();
    if (spec.service() != null) {
      ServicePortEndpoints port =
          endpoints.get(new ServiceKey(spec.service().name(), spec.service().port()));
      return port == null ? 0 : port.readyAddresses().size();
    }
    return spec.endpoints() == null ? 0 : spec.endpoints().size();
  }

  static boolean uses(ProxyRoute route, String agent) {
    List<Rule> rules = route.getSpec() == null ? null : route.getSpec().rules();
    if (rules == null) {
      return false;
    }
    for (Rule rule : rules) {
      if (rule.offload() != null) {
        for (OffloadStep step : rule.offload()) {
          if (agent.equals(step.agent())) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** What the live sidecar pods of the namespace report of the agent. */
  static AgentStatus.Health health(List<Pod> pods, String agent) {
    int reporters = 0;
    int available = 0;
    for (Pod pod : pods) {
      if (!PodRecord.isLive(pod)) {
        continue;
      }
      AgentHealthRecord.Endpoints e = AgentHealthRecord.of(pod).get(agent);
      if (e != null) {
        reporters++;
        available = Math.max(available, e.available());
      }
    }
    return new AgentStatus.Health(reporters, available);
  }

  @Override
  public List<EventSource<?, OffloadAgent>> prepareEventSources(
      EventSourceContext<OffloadAgent> context) {
    return List.of(
        Informers.perNamespace(
            context, InformerEventSourceConfiguration.from(Service.class, OffloadAgent.class)),
        Informers.perNamespace(
            context,
            InformerEventSourceConfiguration.from(EndpointSlice.class, OffloadAgent.class)),
        Informers.perNamespace(
            context, InformerEventSourceConfiguration.from(ProxyRoute.class, OffloadAgent.class)),
        Informers.perNamespace(
            context,
            InformerEventSourceConfiguration.from(Pod.class, OffloadAgent.class)
                .withLabelSelector(Labels.SIDECAR + "=true")));
  }
}
