package dev.sluice.sidecar.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The {@code accessLog} and {@code tracing} part of {@link SidecarConfigValidator}. */
final class RuleTelemetryValidator {
  private RuleTelemetryValidator() {}

  static void validate(String path, RouteRule rule, Problems problems) {
    accessLog(path + ".accessLog", rule.accessLog(), problems);
    share(path + ".tracing.sampleRate", rule.tracing().sampleRate(), problems);
  }

  private static void accessLog(String path, RuleAccessLog log, Problems problems) {
    share(path + ".successSampleRate", log.successSampleRate(), problems);
    List<String> headers = log.headers();
    if (headers.size() > RuleAccessLog.MAX_HEADERS) {
      problems.addFinding(
          path + ".headers",
          headers.size() + " names",
          "at most " + RuleAccessLog.MAX_HEADERS + " headers");
    }
    List<String> logged = new ArrayList<>();
    for (int i = 0; i < headers.size(); i++) {
      String name = headers.get(i);
      if (SidecarConfigValidator.headerName(path + ".headers[" + i + "]", name, problems)) {
        String key = name.toLowerCase(Locale.ROOT);
        if (logged.contains(key)) {
          problems.add(
              path + ".headers[" + i + "]",
              name,
              "unique among " + path + ".headers (names compare case-insensitively)");
        }
        logged.add(key);
      }
    }
    List<String> redacted = log.redactHeaders();
    for (int i = 0; i < redacted.size(); i++) {
      String name = redacted.get(i);
      String at = path + ".redactHeaders[" + i + "]";
      if (SidecarConfigValidator.headerName(at, name, problems)
          && !logged.contains(name.toLowerCase(Locale.ROOT))) {
        problems.add(
            at,
            name,
            "one of "
                + path
                + ".headers "
                + headers
                + " (a header that is not logged needs no redaction; a misspelt one would be"
                + " logged in the clear)");
      }
    }
  }

  /** A share of something, as a probability. */
  private static void share(String path, double value, Problems problems) {
    if (!(value >= 0.0 && value <= 1.0)) {
      problems.add(path, value, "a number from 0 to 1");
    }
  }
}
