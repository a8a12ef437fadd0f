package dev.sluice.operator.pods;

import dev.sluice.api.Labels;
import dev.sluice.operator.inject.Injector;
import dev.sluice.operator.status.Timestamps;
import dev.sluice.sidecar.config.ContractVersions;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What Sluice reads from a Pod: whether it runs a sidecar, its labels, and the rollout record kept
 * in its annotations (assigned / applied / rejected / last good revision). Everything a rollout
 * decision needs is on the Pod, so a new leader resumes from the API server alone.
 *
 * @param name the pod's name
 * @param labels its labels (ProxyRoute selectors match them)
 * @param sidecar true when it was injected (annotation or the sidecar container)
 * @param ready true when the Pod's Ready condition is True
 * @param rollout the rollout record
 * @param lastGood the last revision its whole group applied (null: none yet)
 * @param contract the contract version its sidecar announced ({@link #UNANNOUNCED} until its first
 *     request to the config service)
 */
public record PodRecord(
    String name,
    Map<String, String> labels,
    boolean sidecar,
    boolean ready,
    PodRollout rollout,
    @Nullable String lastGood,
    int contract) {

  /** The contract of a pod whose sidecar has not called the config service yet. */
  public static final int UNANNOUNCED = 0;

  /** Whether its sidecar announced its contract (its first request to the config service did). */
  public boolean contractAnnounced() {
    return contract != UNANNOUNCED;
  }

  public static PodRecord of(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    Map<String, String> a = annotations == null ? Map.of() : annotations;
    Map<String, String> labels = pod.getMetadata().getLabels();
    return new PodRecord(
        pod.getMetadata().getName(),
        labels == null ? Map.of() : labels,
        hasSidecar(pod),
        isReady(pod),
        new PodRollout(
            pod.getMetadata().getName(),
            a.get(Labels.ASSIGNED_REVISION),
            Timestamps.parse(a.get(Labels.ASSIGNED_AT)),
            a.get(Labels.APPLIED_REVISION),
            a.get(Labels.REJECTED_REVISION),
            a.get(Labels.REJECTED_REASON)),
        a.get(Labels.LAST_GOOD_REVISION),
        contract(a.get(Labels.CONTRACT)));
  }

  /**
   * The recorded contract: {@link #UNANNOUNCED} when none is, the oldest supported when it is
   * unreadable.
   */
  public static int contract(@Nullable String annotation) {
    if (annotation == null) {
      return UNANNOUNCED;
    }
    try {
      return ContractVersions.announced(annotation);
    } catch (IllegalArgumentException e) {
      return ContractVersions.OLDEST_SUPPORTED;
    }
  }

  /** Injected by the webhook, or carrying the sidecar container under its name. */
  public static boolean hasSidecar(Pod pod) {
    Map<String, String> a = pod.getMetadata().getAnnotations();
    if (a != null && a.containsKey(Labels.INJECTED)) {
      return true;
    }
    if (pod.getSpec() == null) {
      return false;
    }
    return named(pod.getSpec().getInitContainers()) || named(pod.getSpec().getContainers());
  }

  /** A pod on its way out (deleted, or finished) takes no part in rollouts. */
  public static boolean isLive(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return !"Succeeded".equals(phase) && !"Failed".equals(phase);
  }

  private static boolean named(List<Container> containers) {
    return containers != null
        && containers.stream().anyMatch(c -> Injector.CONTAINER.equals(c.getName()));
  }

  private static boolean isReady(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return false;
    }
    for (PodCondition c : pod.getStatus().getConditions()) {
      if ("Ready".equals(c.getType())) {
        return "True".equals(c.getStatus());
      }
    }
    return false;
  }
}
