package dev.sluice.sandbox;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.ProxyRouteStatus;
import dev.sluice.api.v1alpha1.RolloutStatus;
import dev.sluice.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the operator wrote while a rollout ran, as watches saw it: every revision named by a pod
 * (assigned, applied, rejected) or by the route's status (revision, target, last good), when each
 * pod was first assigned and first applied each revision, the most pods ever between assigned and
 * applied at once, the route status's updated-pod counts per target revision, and whether
 * Reconciling was ever True.
 */
final class RolloutHistory implements AutoCloseable {
  private final Set<String> revisions = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> assignedAt = new ConcurrentHashMap<>();
  private final Map<String, Long> appliedAt = new ConcurrentHashMap<>();
  private final Map<String, Pod> pods = new ConcurrentHashMap<>();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final Map<String, List<Integer>> updatedPods = new ConcurrentHashMap<>();
  private final AtomicBoolean sawReconciling = new AtomicBoolean();
  private final Watch podWatch;
  private final Watch routeWatch;

  RolloutHistory(KubernetesClient client) {
    podWatch =
        client
            .pods()
            .inNamespace(ShopDemo.NS)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, Pod pod) {
                    pod(pod);
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    routeWatch =
        client
            .resources(ProxyRoute.class)
            .inNamespace(ShopDemo.NS)
            .withName(ShopRoute.NAME)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, ProxyRoute route) {
                    route(route);
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
  }

  private void pod(Pod pod) {
    long now = System.nanoTime();
    String name = pod.getMetadata().getName();
    pods.put(name, pod);
    Map<String, String> a = pod.getMetadata().getAnnotations();
    if (a != null) {
      for (String key :
          List.of(Labels.ASSIGNED_REVISION, Labels.APPLIED_REVISION, Labels.REJECTED_REVISION)) {
        if (a.get(key) != null) {
          revisions.add(a.get(key));
        }
      }
      if (a.get(Labels.ASSIGNED_REVISION) != null) {
        assignedAt.putIfAbsent(name + "@" + a.get(Labels.ASSIGNED_REVISION), now);
      }
      if (a.get(Labels.APPLIED_REVISION) != null) {
        appliedAt.putIfAbsent(name + "@" + a.get(Labels.APPLIED_REVISION), now);
      }
    }
    int inFlight = 0;
    for (Pod p : pods.values()) {
      Map<String, String> pa = p.getMetadata().getAnnotations();
      String assigned = pa == null ? null : pa.get(Labels.ASSIGNED_REVISION);
      if (assigned != null
          && !assigned.equals(pa.get(Labels.APPLIED_REVISION))
          && !assigned.equals(pa.get(Labels.REJECTED_REVISION))) {
        inFlight++;
      }
    }
    maxInFlight.accumulateAndGet(inFlight, Math::max);
  }

  private void route(ProxyRoute route) {
    ProxyRouteStatus status = route.getStatus();
    if (status == null) {
      return;
    }
    if (status.revision() != null) {
      revisions.add(status.revision());
    }
    RolloutStatus rollout = status.rollout();
    if (rollout != null) {
      if (rollout.targetRevision() != null) {
        revisions.add(rollout.targetRevision());
        if (rollout.updatedPods() != null) {
          updatedPods
              .computeIfAbsent(rollout.targetRevision(), r -> new CopyOnWriteArrayList<>())
              .add(rollout.updatedPods());
        }
      }
      if (rollout.lastGoodRevision() != null) {
        revisions.add(rollout.lastGoodRevision());
      }
    }
    if (Conditions.isTrue(status.conditions(), "Reconciling")) {
      sawReconciling.set(true);
    }
  }

  /** Every revision a pod or the route's status named. */
  Set<String> revisions() {
    return Set.copyOf(revisions);
  }

  /** When ({@link System#nanoTime()}) {@code pod} was first seen assigned {@code revision}. */
  Long assignedAt(String pod, String revision) {
    return assignedAt.get(pod + "@" + revision);
  }

  /** When {@code pod} was first seen having applied {@code revision}; null if not (yet). */
  Long appliedAt(String pod, String revision) {
    return appliedAt.get(pod + "@" + revision);
  }

  /** Whether any pod has been assigned a revision other than {@code revision}. */
  boolean anyAssignedOtherThan(String revision) {
    return assignedAt.keySet().stream().anyMatch(k -> !k.endsWith("@" + revision));
  }

  /**
   * Whether every one of {@code pods} has applied one same revision other than {@code revision}.
   */
  boolean allAppliedOtherThan(String revision, List<PodRunner.RunningPod> pods) {
    Set<String> applied = new java.util.HashSet<>();
    for (PodRunner.RunningPod pod : pods) {
      Pod seen = this.pods.get(pod.name());
      Map<String, String> a = seen == null ? null : seen.getMetadata().getAnnotations();
      String r = a == null ? null : a.get(Labels.APPLIED_REVISION);
      if (r == null || r.equals(revision)) {
        return false;
      }
      applied.add(r);
    }
    return applied.size() == 1;
  }

  int maxInFlight() {
    return maxInFlight.get();
  }

  /** The route status's updatedPods while {@code revision} was the target, in order seen. */
  List<Integer> updatedPods(String revision) {
    return List.copyOf(updatedPods.getOrDefault(revision, List.of()));
  }

  boolean sawReconciling() {
    return sawReconciling.get();
  }

  @Override
  public void close() {
    podWatch.close();
    routeWatch.close();
  }
}
