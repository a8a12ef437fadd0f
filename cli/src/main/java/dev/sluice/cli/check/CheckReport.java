package dev.sluice.cli.check;

import java.util.List;

/**
 * Every check's line and the verdict: {@code pass} unless a check failed (warnings do not fail).
 *
 * @param checks one per line, in order
 * @param failures how many failed
 * @param warnings how many warned
 * @param verdict pass or fail
 */
public record CheckReport(List<CheckResult> checks, int failures, int warnings, String verdict) {
  static CheckReport of(List<CheckResult> checks) {
    int failures = (int) checks.stream().filter(c -> c.outcome() == Outcome.FAIL).count();
    int warnings = (int) checks.stream().filter(c -> c.outcome() == Outcome.WARN).count();
    return new CheckReport(
        List.copyOf(checks), failures, warnings, failures == 0 ? "pass" : "fail");
  }

  boolean passed() {
    return failures == 0;
  }
}
