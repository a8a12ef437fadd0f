package dev.sluice.operator.route;

import dev.sluice.api.v1alpha1.Backend;
import dev.sluice.api.v1alpha1.Listener;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.api.v1alpha1.RolloutPolicy;
import dev.sluice.api.v1alpha1.Rule;
import dev.sluice.operator.render.RenderProblem;
import dev.sluice.sidecar.config.Durations;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks the CRD's CEL rules make on a ProxyRoute, made again by the operator for the fields it
 * acts on: an API server without the rules (an older one, or the embedded one the sandbox and tests
 * use) must still not get a half-parsed route past the operator. A route failing any is left out
 * whole with {@code Accepted=False InvalidSpec} naming the field, value and what was expected;
 * every other route renders as usual.
 */
final class SpecChecks {
  static final Pattern PERCENT = Pattern.compile("^([1-9][0-9]?|100)%$");
  static final Duration MIN_DEADLINE = Duration.ofSeconds(10);

  private SpecChecks() {}

  static List<RenderProblem> check(ProxyRoute route) {
    List<RenderProblem> problems = new ArrayList<>();
    String name = route.getMetadata().getName();
    var spec = route.getSpec();
    if (spec == null || spec.listener() == null || spec.rules() == null) {
      problems.add(
          problem(name, "spec", "incomplete", "a selector, a listener and at least one rule"));
      return problems;
    }
    listener(name, spec.listener(), problems);
    rules(name, spec.rules(), problems);
    if (spec.rollout() != null) {
      rollout(name, spec.rollout(), problems);
    }
    return problems;
  }

  private static void listener(String name, Listener listener, List<RenderProblem> problems) {
    boolean https = listener.protocol() == Listener.ListenerProtocol.HTTPS;
    if (https != (listener.tls() != null)) {
      problems.add(
          problem(
              name,
              "spec.listener.tls",
              listener.tls() == null ? "missing" : "set",
              "listener.tls is required when protocol is HTTPS and not allowed when it is HTTP"));
    }
  }

  private static void rules(String name, List<Rule> rules, List<RenderProblem> problems) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      if (rule.name() != null && !names.add(rule.name())) {
        problems.add(
            problem(
                name,
                "spec.rules[" + i + "].name",
                rule.name(),
                "rules[].name must be unique within the ProxyRoute"));
      }
      Backend backend = rule.backend();
      if (backend == null || (backend.service() == null) == (backend.endpoints() == null)) {
        problems.add(
            problem(
                name,
                "spec.rules[" + i + "].backend",
                backend == null ? "missing" : "service and endpoints",
                "backend needs exactly one of service and endpoints"));
      } else if (backend.tls() != null && backend.protocol() != Backend.BackendProtocol.H2) {
        problems.add(
            problem(
                name,
                "spec.rules[" + i + "].backend.tls",
                "set",
                "backend.tls is only allowed with protocol h2"));
      }
    }
  }

  private static void rollout(String name, RolloutPolicy rollout, List<RenderProblem> problems) {
    IntOrString batch = rollout.batchSize();
    if (batch != null && !validBatch(batch)) {
      problems.add(
          problem(
              name,
              "spec.rollout.batchSize",
              batch.getIntVal() != null ? batch.getIntVal().toString() : batch.getStrVal(),
              "a number >= 1 or a percentage from 1% to 100%"));
    }
    if (rollout.progressDeadline() != null) {
      Duration deadline = null;
      try {
        deadline = Durations.parse(rollout.progressDeadline());
      } catch (IllegalArgumentException e) {
        // reported below
      }
      if (deadline == null || deadline.compareTo(MIN_DEADLINE) < 0) {
        problems.add(
            problem(
                name,
                "spec.rollout.progressDeadline",
                rollout.progressDeadline(),
                "a duration of at least 10s"));
      }
    }
  }

  private static boolean validBatch(IntOrString batch) {
    if (batch.getIntVal() != null) {
      return batch.getIntVal() >= 1;
    }
    String text = batch.getStrVal() == null ? "" : batch.getStrVal().trim();
    if (PERCENT.matcher(text).matches()) {
      return true;
    }
    try {
      return Integer.parseInt(text) >= 1;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static RenderProblem problem(String route, String field, String found, String expected) {
    return RenderProblem.notAccepted(
        RenderProblem.Kind.PROXY_ROUTE, route, Reasons.INVALID_SPEC, field, found, expected);
  }
}
