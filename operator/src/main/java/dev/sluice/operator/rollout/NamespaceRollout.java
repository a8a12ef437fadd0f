package dev.sluice.operator.rollout;

import dev.sluice.api.v1alpha1.ConditionTypes;
import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.api.v1alpha1.RolloutPolicy;
import dev.sluice.operator.cluster.Selectors;
import dev.sluice.operator.pods.PodRecord;
import dev.sluice.operator.render.RenderInput;
import dev.sluice.operator.render.RenderProblem;
import dev.sluice.operator.render.Renderer;
import dev.sluice.operator.render.Rendering;
import dev.sluice.operator.render.ServiceKey;
import dev.sluice.operator.status.RolloutState;
import dev.sluice.sidecar.config.ConfigProblem;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigValidator;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One pass over a namespace, as a pure function of what the informers hold: which config every
 * sidecar pod should run, which pods get a new assignment now, and what each ProxyRoute's status
 * says.
 *
 * <p>A pod's config is rendered from all the ProxyRoutes that select it, so pods selected by the
 * same routes run the same revision: they form a <em>group</em>, and each group rolls out on its
 * own with the strictest policy of its routes (smallest batch, shortest deadline, Rollback if any
 * route asks for it). A ProxyRoute's rollout counts sum over the groups its pods are in. A config
 * the sidecar's own validation would refuse is never handed out: its routes get {@code
 * Accepted=False} instead.
 */
public final class NamespaceRollout {
  private NamespaceRollout() {}

  /** Everything the pass reads. {@code pods}: live pods of the namespace, any order. */
  public record Input(
      String namespace,
      List<ProxyRoute> routes,
      Map<String, OffloadAgent> agents,
      Map<ServiceKey, List<String>> endpoints,
      Map<String, Map<String, String>> secrets,
      List<PodRecord> pods,
      Instant now,
      Renderer.Defaults defaults) {}

  /**
   * A pod annotation change: a new assignment and/or a new last-good revision (null: unchanged).
   */
  public record PodChange(String pod, String assign, String lastGood) {}

  /** What a ProxyRoute's status is built from. */
  public record RouteOutcome(List<RenderProblem> problems, RolloutState rollout) {}

  /**
   * The pass's result.
   *
   * @param configs every revision handed out now, to be stored before any pod is told about it
   * @param changes pod annotation changes, in pod name order
   * @param routes each ProxyRoute's outcome by name
   */
  public record Result(
      Map<String, SidecarConfig> configs,
      List<PodChange> changes,
      Map<String, RouteOutcome> routes) {}

  private record Group(
      String revision, SidecarConfig config, List<PodRecord> pods, Set<String> routes) {}

  public static Result plan(Input in) {
    Map<String, ProxyRoute> routesByName = new TreeMap<>();
    Map<String, List<RenderProblem>> problems = new TreeMap<>();
    Map<String, List<RenderProblem>> invalid = new TreeMap<>();
    for (ProxyRoute route : in.routes()) {
      String name = route.getMetadata().getName();
      List<RenderProblem> found = SpecChecks.check(route);
      if (found.isEmpty()) {
        routesByName.put(name, route);
        problems.put(name, new ArrayList<>());
      } else {
        invalid.put(name, found); // left out whole: it selects nothing, renders nowhere
      }
    }
    Map<List<String>, Rendering> renderings = new HashMap<>();
    Function<List<String>, Rendering> render =
        key ->
            renderings.computeIfAbsent(
                key, k -> validated(renderFor(in, k, routesByName), k, routesByName));

    Map<String, Group> groups = new TreeMap<>();
    for (PodRecord pod : in.pods()) {
      if (!pod.sidecar()) {
        continue;
      }
      List<String> key =
          routesByName.values().stream()
              .filter(r -> Selectors.matches(r.getSpec().selector(), pod.labels()))
              .map(r -> r.getMetadata().getName())
              .toList();
      Rendering rendering = render.apply(key);
      SidecarConfig config = rendering.config();
      if (config == null) {
        continue; // refused by validation: nothing is handed out, the routes say why
      }
      Group group =
          groups.computeIfAbsent(
              config.revision(),
              rev -> new Group(rev, config, new ArrayList<>(), new LinkedHashSet<>()));
      group.pods().add(pod);
      group.routes().addAll(key);
    }
    // Routes that select no sidecar pod still get their own problems reported.
    Set<String> seen = new LinkedHashSet<>();
    groups.values().forEach(g -> seen.addAll(g.routes()));
    for (String name : routesByName.keySet()) {
      if (!seen.contains(name)) {
        render.apply(List.of(name));
      }
    }
    for (Rendering rendering : renderings.values()) {
      for (RenderProblem p : rendering.problems()) {
        if ("ProxyRoute".equals(p.kind()) && problems.containsKey(p.name())) {
          List<RenderProblem> list = problems.get(p.name());
          if (!list.contains(p)) {
            list.add(p);
          }
        }
      }
    }

    Map<String, SidecarConfig> configs = new TreeMap<>();
    Map<String, PodChange> changes = new TreeMap<>();
    Map<String, List<RolloutState>> states = new TreeMap<>();
    for (Group group : groups.values()) {
      List<ProxyRoute> members = group.routes().stream().map(routesByName::get).toList();
      String lastGood = lastGood(group.pods());
      RolloutPolicy policy = strictest(members, group.pods().size());
      RolloutPlan plan =
          RolloutPlanner.plan(
              group.pods().stream().map(PodRecord::rollout).toList(),
              group.revision(),
              lastGood,
              policy,
              deadline(members),
              in.now());
      plan.assignments().forEach((pod, rev) -> changes.put(pod, new PodChange(pod, rev, null)));
      if (plan.assignments().containsValue(group.revision())) {
        configs.put(group.revision(), group.config());
      }
      RolloutState state = plan.state();
      if (state.complete()) {
        for (PodRecord pod : group.pods()) {
          if (!group.revision().equals(pod.lastGood())) {
            PodChange earlier = changes.get(pod.name());
            changes.put(
                pod.name(),
                new PodChange(
                    pod.name(), earlier == null ? null : earlier.assign(), group.revision()));
          }
        }
      }
      int ready =
          (int)
              group.pods().stream()
                  .filter(p -> p.ready() && group.revision().equals(p.rollout().applied()))
                  .count();
      String reason = state.stalledReason();
      String message = state.stalledMessage();
      if (reason != null
          && policy.onFailure() == RolloutPolicy.FailurePolicy.Rollback
          && lastGood != null) {
        reason = Reasons.ROLLED_BACK;
        message = message + "; the updated pods were returned to revision " + lastGood;
      }
      RolloutState adjusted =
          new RolloutState(
              state.targetRevision(),
              state.lastGoodRevision(),
              state.selectedPods(),
              state.updatedPods(),
              ready,
              state.failedPods(),
              reason,
              message);
      for (String route : group.routes()) {
        states.computeIfAbsent(route, r -> new ArrayList<>()).add(adjusted);
      }
    }

    Map<String, RouteOutcome> outcomes = new TreeMap<>();
    for (String name : routesByName.keySet()) {
      List<RolloutState> mine = states.get(name);
      RolloutState state =
          mine == null ? idle(render.apply(List.of(name)).config()) : aggregate(mine);
      outcomes.put(name, new RouteOutcome(problems.get(name), state));
    }
    invalid.forEach((name, found) -> outcomes.put(name, new RouteOutcome(found, idle(null))));
    return new Result(configs, List.copyOf(changes.values()), outcomes);
  }

  private static Rendering renderFor(
      Input in, List<String> names, Map<String, ProxyRoute> routesByName) {
    List<ProxyRoute> selected = names.stream().map(routesByName::get).toList();
    return Renderer.render(
        new RenderInput(in.namespace(), selected, in.agents(), in.endpoints(), in.secrets()),
        in.defaults());
  }

  /**
   * The rendering as handed out, or with a null config and an Accepted=False problem per route when
   * the sidecar's validation would refuse it.
   */
  private static Rendering validated(
      Rendering rendering, List<String> names, Map<String, ProxyRoute> routesByName) {
    List<ConfigProblem> refused = SidecarConfigValidator.validate(rendering.config());
    if (refused.isEmpty()) {
      return rendering;
    }
    List<RenderProblem> all = new ArrayList<>(rendering.problems());
    ConfigProblem first = refused.get(0);
    for (String name : names) {
      all.add(
          new RenderProblem(
              "ProxyRoute",
              name,
              ConditionTypes.ACCEPTED,
              Reasons.INVALID_SPEC,
              "rendered config " + first.path(),
              first.found(),
              first.expected()));
    }
    return new Rendering(null, all);
  }

  /** The last good revision the group's pods record; the most common one wins. */
  private static String lastGood(List<PodRecord> pods) {
    Map<String, Long> counts =
        pods.stream()
            .map(PodRecord::lastGood)
            .filter(r -> r != null)
            .collect(Collectors.groupingBy(r -> r, TreeMap::new, Collectors.counting()));
    return counts.entrySet().stream()
        .max(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey)
        .orElse(null);
  }

  /** Smallest batch (resolved against the group's size), Rollback if any route asks for it. */
  static RolloutPolicy strictest(List<ProxyRoute> routes, int groupSize) {
    int batch = Integer.MAX_VALUE;
    boolean rollback = false;
    for (ProxyRoute route : routes) {
      RolloutPolicy p = route.getSpec().rollout();
      batch =
          Math.min(batch, RolloutPlanner.batchSize(p == null ? null : p.batchSize(), groupSize));
      rollback |= p != null && p.onFailure() == RolloutPolicy.FailurePolicy.Rollback;
    }
    return new RolloutPolicy(
        new IntOrString(batch == Integer.MAX_VALUE ? 1 : batch),
        rollback ? RolloutPolicy.FailurePolicy.Rollback : RolloutPolicy.FailurePolicy.Halt,
        null);
  }

  /** Shortest progress deadline of the group's routes (default 10 minutes). */
  static Duration deadline(List<ProxyRoute> routes) {
    Duration shortest = null;
    for (ProxyRoute route : routes) {
      RolloutPolicy p = route.getSpec().rollout();
      if (p != null && p.progressDeadline() != null) {
        Duration d = dev.sluice.sidecar.config.Durations.parse(p.progressDeadline());
        shortest = shortest == null || d.compareTo(shortest) < 0 ? d : shortest;
      }
    }
    return shortest == null ? RolloutPlanner.DEFAULT_DEADLINE : shortest;
  }

  private static RolloutState idle(SidecarConfig alone) {
    return new RolloutState(alone == null ? null : alone.revision(), null, 0, 0, 0, 0, null, null);
  }

  /** One group: its state; several: counts summed, revisions digested, first stall reported. */
  static RolloutState aggregate(List<RolloutState> states) {
    if (states.size() == 1) {
      return states.get(0);
    }
    List<RolloutState> ordered = new ArrayList<>(states);
    ordered.sort(Comparator.comparing(RolloutState::targetRevision));
    int selected = 0;
    int updated = 0;
    int ready = 0;
    int failed = 0;
    String reason = null;
    String message = null;
    boolean allGood = true;
    List<String> targets = new ArrayList<>();
    List<String> goods = new ArrayList<>();
    for (RolloutState s : ordered) {
      selected += s.selectedPods();
      updated += s.updatedPods();
      ready += s.readyPods();
      failed += s.failedPods();
      if (reason == null && s.stalledReason() != null) {
        reason = s.stalledReason();
        message = s.stalledMessage();
      }
      targets.add(s.targetRevision());
      goods.add(s.lastGoodRevision());
      allGood &= s.lastGoodRevision() != null;
    }
    return new RolloutState(
        digest(targets),
        allGood ? digest(goods) : null,
        selected,
        updated,
        ready,
        failed,
        reason,
        message);
  }

  /** Pods selected by other routes too run other configs: one stable name for the set. */
  static String digest(List<String> revisions) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(String.join(",", revisions).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
