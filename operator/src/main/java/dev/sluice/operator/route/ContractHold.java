package dev.sluice.operator.route;

import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.operator.pods.PodRecord;
import dev.sluice.operator.rollout.PodStep;
import dev.sluice.operator.rollout.RolloutState;
import dev.sluice.operator.rollout.RolloutStep;
import dev.sluice.sidecar.config.ContractFields;
import dev.sluice.sidecar.config.ContractRendering;
import dev.sluice.sidecar.config.SidecarConfig;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Pods whose sidecar speaks a contract too old for their group's config: leaving out what it does
 * not know would change what the config does (a must-understand field of a later version), so they
 * are not assigned it and keep their last good config, and the group's rollout says so ({@link
 * Reasons#SIDECAR_CONTRACT_TOO_OLD}) while its other pods roll out.
 */
final class ContractHold {
  /**
   * A pod held back.
   *
   * @param pod the pod
   * @param refused why its contract cannot take the config
   */
  record Held(PodRecord pod, ContractRendering.Refused refused) {
    /** The rollout step: held back from {@code revision}, keeping what it runs. */
    PodStep step(String revision) {
      return new PodStep(
          RolloutStep.HELD,
          pod.name(),
          revision,
          pod.rollout().applied(),
          "its sidecar speaks contract "
              + refused.contract()
              + "; the revision uses "
              + refused.describe());
    }
  }

  private final ContractFields table;

  /** Each revision's view by contract, computed once a pass: pods of a group share both. */
  private final Map<String, Map<Integer, ContractRendering>> views = new HashMap<>();

  ContractHold(ContractFields table) {
    this.table = table;
  }

  /**
   * Empty when {@code pod}'s contract can run {@code config}, or is not known yet; else why not. A
   * pod whose sidecar has not called the config service yet is not held: the config service never
   * sends a revision the contract it announces cannot run (it holds that poll), and the pass after
   * its first request, which records its contract, holds it if need be. Taking every new pod for
   * the oldest contract instead stalled a route on each scale-up until the new sidecars polled.
   */
  @Nullable Held check(PodRecord pod, SidecarConfig config) {
    if (!pod.contractAnnounced()) {
      return null;
    }
    ContractRendering rendering =
        views
            .computeIfAbsent(String.valueOf(config.revision()), r -> new HashMap<>())
            .computeIfAbsent(pod.contract(), contract -> table.render(config, contract));
    return rendering instanceof ContractRendering.Refused refused ? new Held(pod, refused) : null;
  }

  /**
   * {@code state} with the held pods counted as selected and not updated, and, unless the rollout
   * stalled for its own reason first, stalled for theirs.
   */
  static RolloutState amend(RolloutState state, String revision, List<Held> held) {
    if (held.isEmpty()) {
      return state;
    }
    int selected = state.selectedPods() + held.size();
    boolean own = state.stalledReason() != null;
    return new RolloutState(
        state.targetRevision() != null ? state.targetRevision() : revision,
        state.lastGoodRevision() != null
            ? state.lastGoodRevision()
            : held.get(0).pod().lastGood(), // every pod held: theirs is the group's
        selected,
        state.updatedPods(),
        state.readyPods(),
        state.failedPods(),
        own ? state.stalledReason() : Reasons.SIDECAR_CONTRACT_TOO_OLD,
        own ? state.stalledMessage() : message(held, selected, revision),
        false);
  }

  /**
   * One sentence for the condition: how many pods, which, the contract they speak, the fields and
   * the contract they need, and the remedy.
   */
  static String message(List<Held> held, int selected, String revision) {
    int speaks = held.stream().mapToInt(h -> h.refused().contract()).min().orElse(0);
    int needs = held.stream().mapToInt(h -> h.refused().requires()).max().orElse(0);
    Set<String> fields = new LinkedHashSet<>();
    held.forEach(h -> fields.addAll(h.refused().fields()));
    String shown = PodList.of(held.stream().map(h -> h.pod().name()).toList());
    return held.size()
        + " of "
        + selected
        + " selected pods ("
        + shown
        + ") run a sidecar that speaks contract "
        + speaks
        + "; revision "
        + revision
        + " uses "
        + String.join(", ", fields)
        + ", which needs contract "
        + needs
        + ". They keep their last good config; restart them to get the new sidecar image.";
  }
}
