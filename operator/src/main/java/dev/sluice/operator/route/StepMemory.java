package dev.sluice.operator.route;

import dev.sluice.operator.pods.PodRecord;
import dev.sluice.operator.pods.PodRollout;
import dev.sluice.operator.rollout.PodStep;
import dev.sluice.operator.rollout.RolloutStep;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * What the rollout log last said of each pod, so that every step is said once. A pass's plan
 * repeats what stands (a pod held back, a deadline missed) and the pods' records repeat what their
 * sidecars reported; only what changed since the last pass is news. Kept per namespace, for the
 * pods of its last pass. A new operator starts knowing nothing: what the sidecars reported before
 * it started is not said again, what stands is said once more.
 */
final class StepMemory {
  /**
   * One pod as the log last saw it: the revision it was assigned, applied and rejected, and the
   * steps that stood ({@code held:<revision>}).
   */
  record Seen(
      @Nullable String assigned,
      @Nullable String applied,
      @Nullable String rejected,
      Set<String> standing) {
    Seen {
      standing = Set.copyOf(standing);
    }
  }

  /**
   * A pass's news and what to remember once it is told.
   *
   * @param reported what the sidecars reported since the last pass (applied, rejected), pod by pod
   * @param found what the pass finds standing (held, stalled) and takes (assigned, rolled back), in
   *     that order, pod by pod
   * @param seen the pods as this pass saw them
   */
  record News(List<PodStep> reported, List<PodStep> found, Map<String, Seen> seen) {
    News {
      reported = List.copyOf(reported);
      found = List.copyOf(found);
      seen = Map.copyOf(seen);
    }

    /** Every step, in order. */
    List<PodStep> all() {
      List<PodStep> all = new ArrayList<>(reported);
      all.addAll(found);
      return all;
    }
  }

  private final Map<String, Map<String, Seen>> namespaces = new ConcurrentHashMap<>();

  /** The news of a pass over {@code namespace}'s {@code pods} whose plan says {@code planned}. */
  News next(String namespace, List<PodRecord> pods, List<PodStep> planned) {
    return next(namespaces.getOrDefault(namespace, Map.of()), pods, planned);
  }

  /** The news was told (the pass wrote what it took): remember it. */
  void told(String namespace, News news) {
    if (news.seen().isEmpty()) {
      namespaces.remove(namespace);
    } else {
      namespaces.put(namespace, news.seen());
    }
  }

  /**
   * The news, as a pure function: a sidecar's report is news when its pod's record changed since
   * the last pass (a pod seen for the first time reported nothing new); a standing step when it did
   * not stand last pass; an assignment when the pod was not assigned that revision already.
   */
  static News next(Map<String, Seen> before, List<PodRecord> pods, List<PodStep> planned) {
    Map<String, List<PodStep>> byPod = new LinkedHashMap<>();
    planned.forEach(s -> byPod.computeIfAbsent(s.pod(), p -> new ArrayList<>()).add(s));
    List<PodStep> reported = new ArrayList<>();
    List<PodStep> standing = new ArrayList<>();
    List<PodStep> taken = new ArrayList<>();
    Map<String, Seen> seen = new TreeMap<>();
    List<PodRecord> ordered =
        pods.stream()
            .filter(PodRecord::sidecar)
            .sorted(Comparator.comparing(PodRecord::name))
            .toList();
    for (PodRecord pod : ordered) {
      Seen was = before.get(pod.name());
      PodRollout now = pod.rollout();
      if (was != null) {
        reported.addAll(reports(pod.name(), was, now));
      }
      String assigned = now.assigned();
      Set<String> stands = new HashSet<>();
      for (PodStep step : byPod.getOrDefault(pod.name(), List.of())) {
        switch (step.step()) {
          case HELD, STALLED -> {
            String key = step.step().key() + ":" + step.revision();
            stands.add(key);
            if (was == null || !was.standing().contains(key)) {
              standing.add(step);
            }
          }
          case ASSIGNED, ROLLED_BACK -> {
            if (was == null || !step.revision().equals(was.assigned())) {
              taken.add(step);
            }
            assigned = step.revision();
          }
          case APPLIED, REJECTED -> {} // the pods' records say these: reported above
        }
      }
      seen.put(pod.name(), new Seen(assigned, now.applied(), now.rejected(), stands));
    }
    List<PodStep> found = new ArrayList<>(standing);
    found.addAll(taken);
    return new News(reported, found, seen);
  }

  /** What {@code pod}'s sidecar reported since the log last saw it: applied, rejected. */
  private static List<PodStep> reports(String pod, Seen was, PodRollout now) {
    List<PodStep> out = new ArrayList<>();
    if (now.applied() != null && !now.applied().equals(was.applied())) {
      out.add(new PodStep(RolloutStep.APPLIED, pod, now.applied(), was.applied(), null));
    }
    if (now.rejected() != null && !now.rejected().equals(was.rejected())) {
      out.add(
          new PodStep(
              RolloutStep.REJECTED, pod, now.rejected(), now.applied(), now.rejectReason()));
    }
    return out;
  }
}
