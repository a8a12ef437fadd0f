package dev.sluice.sidecar.config;

/** Checks a rule's weighted backends and rate limit (contract 4). */
final class TrafficPolicyValidator {
  static void validate(String path, RouteRule rule, Problems problems) {
    for (int b = 0; b < rule.backends().size(); b++) {
      backend(path + ".backends[" + b + "]", rule.backends().get(b), problems);
    }
    RateLimit limit = rule.rateLimit();
    if (limit != null) {
      String at = path + ".rateLimit";
      if (problems.required(
          at + ".requests", limit.requests(), "requests per unit, 1..1000000000")) {
        problems.range(at + ".requests", limit.requests(), 1, RateLimit.MAX_REQUESTS);
      }
      problems.range(at + ".burst", limit.burst(), 1, RateLimit.MAX_REQUESTS);
    }
  }

  private static void backend(String path, Backend backend, Problems problems) {
    problems.range(path + ".weight", backend.weight(), 0, Backend.MAX_WEIGHT);
    Upstream upstream = backend.upstream();
    String unavailable = backend.unavailable();
    if (upstream != null && unavailable != null) {
      problems.addFinding(
          path + ".unavailable",
          "present with upstream",
          "either upstream or unavailable (the reason a backend could not be resolved)");
    } else if (upstream != null) {
      SidecarConfigValidator.validateUpstream(path + ".upstream", upstream, problems);
    } else if (unavailable == null) {
      problems.add(path + ".upstream", null, "an upstream, or unavailable with a reason");
    } else if (unavailable.isBlank()) {
      problems.add(path + ".unavailable", unavailable, "a reason, not blank");
    }
  }

  private TrafficPolicyValidator() {}
}
