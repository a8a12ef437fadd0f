package dev.sluice.cli.status;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.ConditionTypes;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.cli.ApiCalls;
import dev.sluice.cli.CliFailure;
import dev.sluice.operator.cluster.Selectors;
import dev.sluice.operator.pods.AgentHealthRecord;
import dev.sluice.operator.pods.PodRecord;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Reads ProxyRoutes and their pods from the API server into {@link RouteReport}s, with the
 * operator's own readers of what it records ({@link PodRecord}, {@link AgentHealthRecord}): one
 * list of routes and one list of sidecar pods per namespace, nothing else.
 */
public final class RouteReader {
  private final KubernetesClient client;

  public RouteReader(KubernetesClient client) {
    this.client = client;
  }

  /** Every route of {@code namespace} (null: all namespaces), or the one named {@code route}. */
  public List<RouteReport> read(@Nullable String namespace, @Nullable String route) {
    List<ProxyRoute> routes = routes(namespace, route);
    Map<String, List<Pod>> podsByNamespace = new LinkedHashMap<>();
    List<RouteReport> out = new ArrayList<>();
    for (ProxyRoute r : routes) {
      String ns = r.getMetadata().getNamespace();
      List<Pod> pods = podsByNamespace.computeIfAbsent(ns, this::sidecarPods);
      out.add(report(r, pods, routes));
    }
    return out;
  }

  private List<ProxyRoute> routes(@Nullable String namespace, @Nullable String route) {
    if (route != null) {
      String ns = namespace == null ? "default" : namespace;
      ProxyRoute found =
          ApiCalls.read(
              client,
              "ProxyRoute " + ns + "/" + route,
              () -> client.resources(ProxyRoute.class).inNamespace(ns).withName(route).get());
      if (found == null) {
        throw new CliFailure(
            CliFailure.FAILED,
            "ProxyRoute \""
                + route
                + "\" not found in namespace "
                + ns
                + " (expected: a route that kubectl get proxyroutes -n "
                + ns
                + " lists)");
      }
      return List.of(found);
    }
    List<ProxyRoute> all =
        ApiCalls.read(
            client,
            "ProxyRoutes",
            () ->
                namespace == null
                    ? client.resources(ProxyRoute.class).inAnyNamespace().list().getItems()
                    : client.resources(ProxyRoute.class).inNamespace(namespace).list().getItems());
    return all.stream()
        .sorted(
            Comparator.comparing((ProxyRoute r) -> r.getMetadata().getNamespace())
                .thenComparing(r -> r.getMetadata().getName()))
        .toList();
  }

  private List<Pod> sidecarPods(String namespace) {
    return ApiCalls.read(
            client,
            "pods in " + namespace,
            () ->
                client
                    .pods()
                    .inNamespace(namespace)
                    .withLabel(Labels.SIDECAR, "true")
                    .list()
                    .getItems())
        .stream()
        .filter(PodRecord::isLive)
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .toList();
  }

  private static RouteReport report(ProxyRoute route, List<Pod> pods, List<ProxyRoute> all) {
    String ns = route.getMetadata().getNamespace();
    var status = route.getStatus();
    List<ConditionLine> conditions =
        status == null || status.conditions() == null
            ? List.of()
            : status.conditions().stream().map(ConditionLine::of).toList();
    List<PodReport> selected = new ArrayList<>();
    for (Pod pod : pods) {
      if (Selectors.matches(route.getSpec().selector(), pod.getMetadata().getLabels())) {
        selected.add(pod(pod, selecting(pod, all)));
      }
    }
    List<String> hints = new ArrayList<>();
    boolean stalled =
        conditions.stream()
            .anyMatch(c -> ConditionTypes.STALLED.equals(c.type()) && "True".equals(c.status()));
    if (stalled) {
      hints.add("kubectl describe proxyroute " + route.getMetadata().getName() + " -n " + ns);
    }
    return new RouteReport(
        ns,
        route.getMetadata().getName(),
        route.getMetadata().getGeneration(),
        status == null ? null : status.observedGeneration(),
        status == null ? null : status.revision(),
        status == null ? null : status.rollout(),
        conditions,
        selected,
        hints);
  }

  /** The routes of the pod's namespace that select it (a pod's config joins them all). */
  private static List<String> selecting(Pod pod, List<ProxyRoute> all) {
    return all.stream()
        .filter(r -> r.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace()))
        .filter(r -> Selectors.matches(r.getSpec().selector(), pod.getMetadata().getLabels()))
        .map(r -> r.getMetadata().getName())
        .toList();
  }

  static PodReport pod(Pod pod, List<String> routes) {
    PodRecord record = PodRecord.of(pod);
    PodState state = PodState.of(record.rollout());
    Map<String, String> a = pod.getMetadata().getAnnotations();
    // by agent name: the report's own order is the sidecar's, not stable
    Map<String, PodReport.AgentEndpoints> agents = new TreeMap<>();
    AgentHealthRecord.of(pod)
        .forEach(
            (agent, e) ->
                agents.put(agent, new PodReport.AgentEndpoints(e.endpoints(), e.available())));
    return new PodReport(
        record.name(),
        record.ready(),
        state,
        record.rollout().assigned(),
        a == null ? null : a.get(Labels.ASSIGNED_AT),
        record.rollout().applied(),
        record.lastGood(),
        record.rollout().rejected(),
        record.rollout().rejectReason(),
        configApplied(pod),
        agents,
        Hints.forPod(pod.getMetadata().getNamespace(), record.name(), state, routes));
  }

  private static @Nullable ConditionLine configApplied(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return null;
    }
    for (PodCondition c : pod.getStatus().getConditions()) {
      if (Labels.CONFIG_APPLIED_CONDITION.equals(c.getType())) {
        return ConditionLine.of(c);
      }
    }
    return null;
  }
}
