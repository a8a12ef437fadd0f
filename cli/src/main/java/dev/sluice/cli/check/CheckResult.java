package dev.sluice.cli.check;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * One line of {@code check}.
 *
 * @param check what was checked
 * @param outcome pass, warn or fail
 * @param message what was found (for a failure: what is wrong)
 * @param fix the command that fixes a failure or warning (null when passed)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckResult(String check, Outcome outcome, String message, @Nullable String fix) {
  static CheckResult pass(String check, String message) {
    return new CheckResult(check, Outcome.PASS, message, null);
  }

  static CheckResult warn(String check, String message, String fix) {
    return new CheckResult(check, Outcome.WARN, message, fix);
  }

  static CheckResult fail(String check, String message, String fix) {
    return new CheckResult(check, Outcome.FAIL, message, fix);
  }
}
