package dev.sluice.operator.route;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.pods.PodRecord;
import dev.sluice.operator.render.AttachedRule;
import dev.sluice.operator.render.RenderProblem;
import dev.sluice.operator.render.Renderer;
import dev.sluice.operator.render.ServiceKey;
import dev.sluice.operator.render.ServicePortEndpoints;
import dev.sluice.operator.rollout.GroupRollout;
import dev.sluice.operator.rollout.PodStep;
import dev.sluice.operator.rollout.RolloutState;
import dev.sluice.sidecar.config.ConfigOrigin;
import dev.sluice.sidecar.config.SidecarConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One pass over a namespace, as a pure function of what the informers hold: which config every
 * sidecar pod should run, which pods get a new assignment now, and what each ProxyRoute's status
 * says.
 *
 * <p>The pass: ProxyRoutes the CRD rules would refuse are left out ({@link SpecChecks}, {@link
 * SelectorChecks}); sidecar pods are grouped by the routes that select them ({@link PodGroups},
 * each set rendered once by {@link RouteRenderings}); each group rolls out on its own ({@link
 * GroupRollout}), but for pods whose sidecar speaks a contract too old for the group's config
 * ({@link ContractHold}); and each route's outcome sums the groups its pods are in ({@link
 * RouteOutcomes}). A config the sidecar's own validation would refuse is never handed out: its
 * routes get {@code Accepted=False} instead.
 */
final class NamespaceRollout {
  private NamespaceRollout() {}

  /** Everything the pass reads. {@code pods}: live pods of the namespace, any order. */
  record Input(
      String namespace,
      List<ProxyRoute> routes,
      Map<String, OffloadAgent> agents,
      Map<ServiceKey, ServicePortEndpoints> endpoints,
      Map<String, Map<String, String>> secrets,
      Map<String, Map<String, String>> configMaps,
      Map<String, List<AttachedRule>> attached,
      List<PodRecord> pods,
      Instant now,
      Renderer.Defaults defaults) {}

  /**
   * A pod annotation change: a new assignment and/or a new last-good revision (null: unchanged).
   */
  record PodChange(String pod, @Nullable String assign, @Nullable String lastGood) {}

  /** What a ProxyRoute's status is built from. */
  record RouteOutcome(List<RenderProblem> problems, RolloutState rollout) {}

  /**
   * Where a pod stands: in a group rolling {@code target} out, whose config renders {@code routes}
   * ({@code <namespace>/<name>}, as the config's origin names them).
   */
  record PodPlace(List<String> routes, String target) {
    PodPlace {
      routes = List.copyOf(routes);
    }

    /** The place of the pods of a group that runs {@code config}. */
    static PodPlace of(SidecarConfig config) {
      ConfigOrigin origin = config.origin();
      return new PodPlace(
          origin == null ? List.of() : origin.proxyRoutes(),
          requireNonNull(config.revision(), "the renderer stamps every config"));
    }
  }

  /**
   * The pass's result.
   *
   * @param configs every revision handed out now, to be stored before any pod is told about it
   * @param changes pod annotation changes, in pod name order
   * @param routes each ProxyRoute's outcome by name
   * @param steps the steps the pass takes or finds standing, pod by pod (assigned, rolled back,
   *     held, stalled); said again on every pass while they stand
   * @param places each grouped pod's place, by name
   */
  record Result(
      Map<String, SidecarConfig> configs,
      List<PodChange> changes,
      Map<String, RouteOutcome> routes,
      List<PodStep> steps,
      Map<String, PodPlace> places) {}

  static Result plan(Input in) {
    Map<String, ProxyRoute> valid = new TreeMap<>();
    Map<String, List<RenderProblem>> invalid = new TreeMap<>();
    for (ProxyRoute route : in.routes()) {
      // The CRD's own rules first; what they let through of a selector is then evaluated as
      // Kubernetes evaluates it (label syntax), so one mistake is reported once.
      List<RenderProblem> found = SpecChecks.check(route);
      if (found.isEmpty()) {
        found = SelectorChecks.check(route);
      }
      if (found.isEmpty()) {
        valid.put(route.getMetadata().getName(), route);
      } else {
        invalid.put(route.getMetadata().getName(), found); // left out whole: renders nowhere
      }
    }
    RouteRenderings renderings = new RouteRenderings(in, valid);
    Map<String, PodGroups.PodGroup> groups =
        PodGroups.of(in.pods(), valid, renderings, new ContractHold(in.defaults().contract()));
    // Routes that select no sidecar pod still get their own problems reported.
    PodGroups.ungrouped(groups, valid.keySet()).forEach(name -> renderings.of(List.of(name)));
    RouteOutcomes outcomes = new RouteOutcomes(valid.keySet(), renderings.all());

    Map<String, SidecarConfig> configs = new TreeMap<>();
    Map<String, PodChange> changes = new TreeMap<>();
    List<PodStep> steps = new ArrayList<>();
    Map<String, PodPlace> places = new TreeMap<>();
    for (PodGroups.PodGroup group : groups.values()) {
      List<ProxyRoute> members = group.routes().stream().map(valid::get).toList();
      GroupRollout.Step step = GroupRollout.plan(group.revision(), group.pods(), members, in.now());
      if (step.assignments().containsValue(group.revision())) {
        configs.put(group.revision(), group.config());
      }
      record(step, group.revision(), changes);
      outcomes.rolledOut(
          group.routes(), ContractHold.amend(step.state(), group.revision(), group.heldBack()));
      steps.addAll(step.steps());
      group.heldBack().forEach(held -> steps.add(held.step(group.revision())));
      PodPlace place = PodPlace.of(group.config());
      group.pods().forEach(pod -> places.put(pod.name(), place));
      group.heldBack().forEach(held -> places.put(held.pod().name(), place));
    }
    return new Result(
        configs,
        List.copyOf(changes.values()),
        outcomes.outcomes(renderings, invalid),
        List.copyOf(steps),
        places);
  }

  /** The group's new assignments and last good revisions, as pod annotation changes. */
  private static void record(
      GroupRollout.Step step, String revision, Map<String, PodChange> changes) {
    step.assignments().forEach((pod, rev) -> changes.put(pod, new PodChange(pod, rev, null)));
    for (String pod : step.settled()) {
      PodChange earlier = changes.get(pod);
      changes.put(pod, new PodChange(pod, earlier == null ? null : earlier.assign(), revision));
    }
  }
}
