package dev.sluice.operator.status;

import dev.sluice.api.v1alpha1.ConditionTypes;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.operator.render.RenderProblem;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Condition bookkeeping as kstatus and {@code kubectl wait} expect it: each condition carries the
 * generation it describes, and its {@code lastTransitionTime} moves only when its status flips — a
 * new reason or message alone keeps the time.
 */
public final class Conditions {
  /** A condition as a reconcile wants it: type, status and why. */
  public record Desired(String type, String status, String reason, String message) {
    public Desired(String type, boolean status, String reason, String message) {
      this(type, status ? "True" : "False", reason, message);
    }

    /** Neither True nor False: not known yet. */
    public static Desired unknown(String type, String reason, String message) {
      return new Desired(type, "Unknown", reason, message);
    }

    public boolean isTrue() {
      return "True".equals(status);
    }
  }

  /**
   * The conditions to write: {@code desired} in order, each keeping the transition time of the
   * current condition of its type when the status did not change.
   */
  public static List<Condition> merge(
      @Nullable List<Condition> current, List<Desired> desired, long generation, String now) {
    List<Condition> merged = new ArrayList<>();
    for (Desired d : desired) {
      String status = d.status();
      Condition previous = find(current, d.type());
      String since =
          previous != null && status.equals(previous.getStatus())
              ? previous.getLastTransitionTime()
              : now;
      merged.add(
          new ConditionBuilder()
              .withType(d.type())
              .withStatus(status)
              .withReason(d.reason())
              .withMessage(d.message())
              .withObservedGeneration(generation)
              .withLastTransitionTime(since)
              .build());
    }
    return merged;
  }

  /** Accepted from the first Accepted problem (True "The spec is valid." when there is none). */
  public static Desired accepted(@Nullable RenderProblem problem) {
    return problem == null
        ? new Desired(ConditionTypes.ACCEPTED, true, Reasons.ACCEPTED, "The spec is valid.")
        : new Desired(ConditionTypes.ACCEPTED, false, problem.reason(), problem.message());
  }

  /** ResolvedRefs from the first ResolvedRefs problem, {@code resolved} saying it when none. */
  public static Desired resolvedRefs(@Nullable RenderProblem problem, String resolved) {
    return problem == null
        ? new Desired(ConditionTypes.RESOLVED_REFS, true, Reasons.RESOLVED, resolved)
        : new Desired(ConditionTypes.RESOLVED_REFS, false, problem.reason(), problem.message());
  }

  /** The first problem making {@code type} False; null when there is none. */
  public static @Nullable RenderProblem first(List<RenderProblem> problems, String type) {
    return problems.stream().filter(p -> type.equals(p.conditionType())).findFirst().orElse(null);
  }

  /** The condition of {@code type}; null when there is none. */
  public static @Nullable Condition find(@Nullable List<Condition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    for (Condition c : conditions) {
      if (type.equals(c.getType())) {
        return c;
      }
    }
    return null;
  }

  /** True when the condition of {@code type} is True. */
  public static boolean isTrue(@Nullable List<Condition> conditions, String type) {
    Condition c = find(conditions, type);
    return c != null && "True".equals(c.getStatus());
  }

  private Conditions() {}
}
