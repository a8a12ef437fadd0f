package dev.sluice.cli.status;

import dev.sluice.api.v1alpha1.RolloutStatus;
import dev.sluice.cli.Ages;
import dev.sluice.cli.Table;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** {@code status} for people: per route its conditions, rollout counts, pods and next steps. */
final class StatusTable {
  private StatusTable() {}

  static void print(List<RouteReport> routes, Instant now, PrintWriter out) {
    if (routes.isEmpty()) {
      out.println("No ProxyRoutes found.");
      return;
    }
    boolean first = true;
    for (RouteReport route : routes) {
      if (!first) {
        out.println();
      }
      first = false;
      route(route, now, out);
    }
  }

  private static void route(RouteReport route, Instant now, PrintWriter out) {
    out.println(
        "ProxyRoute "
            + route.namespace()
            + "/"
            + route.name()
            + "  revision "
            + (route.revision() == null ? "<none>" : route.revision())
            + "  generation "
            + route.generation()
            + (route.observedGeneration() == null
                ? " (no status yet)"
                : " (observed " + route.observedGeneration() + ")"));
    if (!route.conditions().isEmpty()) {
      Table conditions = new Table("CONDITION", "STATUS", "REASON", "AGE", "MESSAGE");
      route
          .conditions()
          .forEach(
              c ->
                  conditions.row(
                      c.type(),
                      c.status(),
                      c.reason(),
                      Ages.since(c.lastTransitionTime(), now),
                      c.message()));
      conditions.print(out, "  ");
    }
    RolloutStatus r = route.rollout();
    if (r != null) {
      out.println(
          "  Rollout: target "
              + none(r.targetRevision())
              + ", last good "
              + none(r.lastGoodRevision())
              + "; pods selected "
              + r.selectedPods()
              + ", updated "
              + r.updatedPods()
              + ", ready "
              + r.readyPods()
              + ", failed "
              + r.failedPods());
    }
    if (route.pods().isEmpty()) {
      out.println("  No selected pod runs a Sluice sidecar.");
    } else {
      pods(route.pods(), now, out);
    }
    route.hints().forEach(h -> out.println("  next: " + h));
  }

  private static void pods(List<PodReport> pods, Instant now, PrintWriter out) {
    Table table =
        new Table(
            "POD", "READY", "STATE", "ASSIGNED", "APPLIED", "LAST-GOOD", "REPORT", "AGE", "AGENTS");
    for (PodReport p : pods) {
      ConditionLine applied = p.configApplied();
      table.row(
          p.name(),
          p.ready(),
          p.state(),
          p.assignedRevision(),
          p.appliedRevision(),
          p.lastGoodRevision(),
          applied == null ? null : applied.reason(),
          applied == null ? null : Ages.since(applied.lastTransitionTime(), now),
          agents(p));
    }
    table.print(out, "  ");
    for (PodReport p : pods) {
      ConditionLine applied = p.configApplied();
      if (applied != null && applied.message() != null) {
        out.println("  " + p.name() + ": " + applied.message());
      }
      if (p.state() == PodState.behind && p.assignedAt() != null) {
        out.println(
            "  "
                + p.name()
                + ": assigned "
                + p.assignedRevision()
                + " "
                + Ages.since(p.assignedAt(), now)
                + " ago, not applied yet");
      }
      p.hints().forEach(h -> out.println("    next: " + h));
    }
  }

  private static String agents(PodReport p) {
    if (p.agents().isEmpty()) {
      return "<none>";
    }
    return p.agents().entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue().available() + "/" + e.getValue().endpoints())
        .collect(Collectors.joining(","));
  }

  private static String none(@Nullable String s) {
    return s == null ? "<none>" : s;
  }
}
