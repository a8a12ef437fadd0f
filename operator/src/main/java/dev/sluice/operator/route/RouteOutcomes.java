package dev.sluice.operator.route;

import dev.sluice.operator.render.RenderProblem;
import dev.sluice.operator.render.Rendering;
import dev.sluice.operator.rollout.RolloutState;
import dev.sluice.sidecar.config.SidecarConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What each ProxyRoute's status is built from after a pass: the problems about it in every
 * rendering it took part in (each once), and its rollout — one group's state, or the states of the
 * groups its pods are in summed up; a route in no group has an idle rollout of its config alone.
 */
final class RouteOutcomes {
  private final Map<String, List<RenderProblem>> problems = new TreeMap<>();
  private final Map<String, List<RolloutState>> states = new TreeMap<>();

  /** {@code routes}: the valid ProxyRoutes' names; their problems come from {@code renderings}. */
  RouteOutcomes(Set<String> routes, Collection<Rendering> renderings) {
    routes.forEach(name -> problems.put(name, new ArrayList<>()));
    for (Rendering rendering : renderings) {
      for (RenderProblem p : rendering.problems()) {
        List<RenderProblem> list =
            p.kind() == RenderProblem.Kind.PROXY_ROUTE ? problems.get(p.name()) : null;
        if (list != null && !list.contains(p)) {
          list.add(p);
        }
      }
    }
  }

  /** A group's rollout counts for every route of the group. */
  void rolledOut(Set<String> routes, RolloutState state) {
    for (String route : routes) {
      states.computeIfAbsent(route, r -> new ArrayList<>()).add(state);
    }
  }

  /**
   * Every route's outcome by name: the valid ones' ({@code renderings} has each route's config
   * alone), and the {@code invalid} ones' with their spec problems and no rollout.
   */
  Map<String, NamespaceRollout.RouteOutcome> outcomes(
      RouteRenderings renderings, Map<String, List<RenderProblem>> invalid) {
    Map<String, NamespaceRollout.RouteOutcome> outcomes = new TreeMap<>();
    problems.forEach(
        (name, found) -> {
          List<RolloutState> mine = states.get(name);
          RolloutState state =
              mine == null ? idle(renderings.of(List.of(name)).config()) : aggregate(mine);
          outcomes.put(name, new NamespaceRollout.RouteOutcome(found, state));
        });
    invalid.forEach(
        (name, found) -> outcomes.put(name, new NamespaceRollout.RouteOutcome(found, idle(null))));
    return outcomes;
  }

  private static RolloutState idle(@Nullable SidecarConfig alone) {
    return new RolloutState(alone == null ? null : alone.revision(), null, 0, 0, 0, 0, null, null);
  }

  /**
   * One group: its state; several: counts summed, revisions digested, first stall reported,
   * catching up when every group is rolled out and some catch up.
   */
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
    boolean allRolledOut = true;
    boolean anyCatchingUp = false;
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
      allRolledOut &= s.rolledOut();
      anyCatchingUp |= s.catchingUp();
    }
    return new RolloutState(
        digest(targets),
        allGood ? digest(goods) : null,
        selected,
        updated,
        ready,
        failed,
        reason,
        message,
        reason == null && allRolledOut && anyCatchingUp);
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
