package dev.sluice.operator.route;

import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.cluster.Selectors;
import dev.sluice.operator.pods.PodRecord;
import dev.sluice.operator.render.Rendering;
import dev.sluice.sidecar.config.SidecarConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Sidecar pods grouped by the config they should run. A pod's config is rendered from all the
 * ProxyRoutes that select it, so pods selected by the same routes run the same revision and roll
 * out together. A pod whose config the sidecar would refuse is in no group: nothing is handed out.
 */
final class PodGroups {
  private PodGroups() {}

  /**
   * The pods that run one revision.
   *
   * @param revision the revision of {@code config}
   * @param config the config they should run
   * @param pods the pods, in the order the pass read them
   * @param routes the ProxyRoutes selecting them, by name
   * @param heldBack the pods the routes select whose sidecar speaks a contract too old for the
   *     config: not in {@code pods}, they keep what they run
   */
  record PodGroup(
      String revision,
      SidecarConfig config,
      List<PodRecord> pods,
      Set<String> routes,
      List<ContractHold.Held> heldBack) {}

  /**
   * The groups by revision; {@code routes}: the valid ProxyRoutes by name; {@code contracts}: which
   * pods' sidecars cannot take their group's config.
   */
  static Map<String, PodGroup> of(
      List<PodRecord> pods,
      Map<String, ProxyRoute> routes,
      RouteRenderings renderings,
      ContractHold contracts) {
    Map<String, PodGroup> groups = new TreeMap<>();
    for (PodRecord pod : pods) {
      if (!pod.sidecar()) {
        continue;
      }
      List<String> key = selecting(routes, pod);
      Rendering rendering = renderings.of(key);
      SidecarConfig config = rendering.config();
      if (config == null) {
        continue; // refused by validation: nothing is handed out, the routes say why
      }
      PodGroup group =
          groups.computeIfAbsent(
              config.revision(),
              rev ->
                  new PodGroup(
                      rev, config, new ArrayList<>(), new LinkedHashSet<>(), new ArrayList<>()));
      ContractHold.Held held = contracts.check(pod, config);
      if (held == null) {
        group.pods().add(pod);
      } else {
        group.heldBack().add(held);
      }
      group.routes().addAll(key);
    }
    return groups;
  }

  /** The routes of {@code routes} in no group: they select no pod that gets a config. */
  static List<String> ungrouped(Map<String, PodGroup> groups, Set<String> routes) {
    Set<String> grouped = new LinkedHashSet<>();
    groups.values().forEach(g -> grouped.addAll(g.routes()));
    return routes.stream().filter(name -> !grouped.contains(name)).toList();
  }

  /** The names of the routes whose selector selects {@code pod}, in name order. */
  private static List<String> selecting(Map<String, ProxyRoute> routes, PodRecord pod) {
    return routes.values().stream()
        .filter(r -> Selectors.matches(r.getSpec().selector(), pod.labels()))
        .map(r -> r.getMetadata().getName())
        .toList();
  }
}
