package dev.sluice.operator.route;

import dev.sluice.api.v1alpha1.ConditionTypes;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.rollout.PodStep;
import dev.sluice.operator.rollout.RolloutState;
import dev.sluice.operator.rollout.RolloutStep;
import dev.sluice.operator.status.Conditions;
import dev.sluice.operator.status.EventRecorder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A pass's rollout steps as Events on the routes, never one per pod: per route, kind of Event
 * ({@code RolloutProgress}, or the Warning a stopped rollout gets) and revision, one Event that
 * counts up, its message the latest pass's pods (a few by name) and the route's counts. {@code
 * RolloutProgress} tells only of a rollout ({@code Reconciling} before or after the pass) and of
 * its target: not of new pods catching up, nor of a pod given or applying its last good revision.
 */
final class RolloutEvents {
  /**
   * One Event to record: about {@code route}, counting up under {@code topic}.
   *
   * @param route the route, {@code <namespace>/<name>}
   * @param type Normal or Warning
   * @param reason the Event's reason
   * @param topic the revision the steps are about: one Event per route, reason and revision
   * @param message the latest word
   */
  record Note(String route, String type, String reason, String topic, String message) {}

  private final EventRecorder events;

  RolloutEvents(EventRecorder events) {
    this.events = events;
  }

  /** Records the notes of {@code steps} on {@code routes} (as the pass read them). */
  void record(
      List<ProxyRoute> routes,
      List<PodStep> steps,
      Map<String, NamespaceRollout.PodPlace> places,
      Map<String, NamespaceRollout.RouteOutcome> outcomes) {
    Map<String, ProxyRoute> byName = new LinkedHashMap<>();
    Map<String, RolloutState> rollouts = new TreeMap<>();
    for (ProxyRoute route : routes) {
      String name = route.getMetadata().getNamespace() + "/" + route.getMetadata().getName();
      NamespaceRollout.RouteOutcome outcome = outcomes.get(route.getMetadata().getName());
      byName.put(name, route);
      if (outcome != null) {
        rollouts.put(name, outcome.rollout());
      }
    }
    Set<String> rolling = new HashSet<>();
    byName.forEach(
        (name, route) -> {
          RolloutState now = rollouts.get(name);
          if (wasRolling(route) || (now != null && now.rollingOut())) {
            rolling.add(name);
          }
        });
    for (Note note : notes(steps, places, rollouts, rolling)) {
      ProxyRoute route = byName.get(note.route());
      if (route != null) {
        events.update(route, note.type(), note.reason(), note.topic(), note.message());
      }
    }
  }

  private static boolean wasRolling(ProxyRoute route) {
    return route.getStatus() != null
        && Conditions.isTrue(route.getStatus().conditions(), ConditionTypes.RECONCILING);
  }

  /**
   * The notes, as a pure function, by route then Event reason.
   *
   * @param rollouts each route's rollout after the pass, by {@code <namespace>/<name>}
   * @param rolling the routes rolling out before or after the pass
   */
  static List<Note> notes(
      List<PodStep> steps,
      Map<String, NamespaceRollout.PodPlace> places,
      Map<String, RolloutState> rollouts,
      Set<String> rolling) {
    Map<String, Map<String, Map<RolloutStep, List<PodStep>>>> byRoute = new TreeMap<>();
    for (PodStep step : steps) {
      NamespaceRollout.PodPlace place = places.get(step.pod());
      if (place == null) {
        continue;
      }
      boolean progress = "Normal".equals(step.step().eventType());
      for (String route : place.routes()) {
        if (progress && !(rolling.contains(route) && step.revision().equals(place.target()))) {
          continue;
        }
        byRoute
            .computeIfAbsent(route, r -> new LinkedHashMap<>())
            .computeIfAbsent(step.step().eventReason(), r -> new EnumMap<>(RolloutStep.class))
            .computeIfAbsent(step.step(), k -> new ArrayList<>())
            .add(step);
      }
    }
    List<Note> notes = new ArrayList<>();
    byRoute.forEach(
        (route, byReason) -> {
          RolloutState rollout = rollouts.get(route);
          if (rollout != null) {
            byReason.forEach((reason, byStep) -> notes.add(note(route, reason, byStep, rollout)));
          }
        });
    return notes;
  }

  private static Note note(
      String route, String reason, Map<RolloutStep, List<PodStep>> byStep, RolloutState state) {
    PodStep first = byStep.values().iterator().next().get(0);
    String topic = subject(first);
    List<String> parts = new ArrayList<>();
    for (Map.Entry<RolloutStep, List<PodStep>> e : byStep.entrySet()) {
      parts.add(
          phrase(e.getKey(), e.getValue().get(0))
              + " "
              + PodList.of(e.getValue().stream().map(PodStep::pod).toList()));
    }
    String why =
        "Warning".equals(first.step().eventType()) && first.reason() != null
            ? " (" + first.reason() + ")"
            : "";
    String message =
        "Revision "
            + topic
            + ": "
            + String.join("; ", parts)
            + why
            + ". "
            + state.updatedPods()
            + " of "
            + state.selectedPods()
            + " selected pods updated"
            + (state.failedPods() > 0 ? ", " + state.failedPods() + " failed." : ".");
    return new Note(route, first.step().eventType(), reason, topic, message);
  }

  /** The revision a step is about: the one rolled out (for a rollback, the one taken off). */
  private static String subject(PodStep step) {
    return step.step() == RolloutStep.ROLLED_BACK && step.previousRevision() != null
        ? step.previousRevision()
        : step.revision();
  }

  private static String phrase(RolloutStep step, PodStep example) {
    return switch (step) {
      case ASSIGNED -> "assigned to";
      case APPLIED -> "applied by";
      case REJECTED -> "rejected by";
      case ROLLED_BACK -> "rolled back to revision " + example.revision() + " on";
      case HELD -> "held back from";
      case STALLED -> "stalled on";
    };
  }
}
