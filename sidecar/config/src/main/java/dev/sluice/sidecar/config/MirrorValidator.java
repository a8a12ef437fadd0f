package dev.sluice.sidecar.config;

/** Checks a rule's request mirrors (contract 4). */
final class MirrorValidator {
  static void validate(String path, RouteRule rule, Problems problems) {
    if (rule.mirrors().isEmpty()) {
      return;
    }
    if (rule.mirrors().size() > RequestMirror.MAX_MIRRORS) {
      problems.addFinding(
          path + ".mirrors",
          rule.mirrors().size() + " mirrors",
          "at most " + RequestMirror.MAX_MIRRORS);
    }
    if (rule.redirect() != null) {
      problems.addFinding(
          path + ".mirrors",
          "present with redirect",
          "no mirrors on a rule that redirects (nothing is sent upstream to copy)");
    }
    for (int m = 0; m < rule.mirrors().size(); m++) {
      mirror(path + ".mirrors[" + m + "]", rule.mirrors().get(m), problems);
    }
  }

  private static void mirror(String path, RequestMirror mirror, Problems problems) {
    if (problems.required(path + ".upstream", mirror.upstream(), "an upstream to copy to")) {
      SidecarConfigValidator.validateUpstream(path + ".upstream", mirror.upstream(), problems);
    }
    RequestMirror.Fraction fraction = mirror.fraction();
    if (mirror.percent() != null && fraction != null) {
      problems.addFinding(
          path + ".fraction", "present with percent", "either percent or fraction, not both");
    }
    problems.range(path + ".percent", mirror.percent(), 0, 100);
    if (fraction != null) {
      String at = path + ".fraction";
      problems.range(at + ".denominator", fraction.denominator(), 1, Integer.MAX_VALUE);
      if (problems.required(at + ".numerator", fraction.numerator(), "0..denominator")) {
        problems.range(
            at + ".numerator", fraction.numerator(), 0, Math.max(0, fraction.denominator()));
      }
    }
    problems.range(path + ".maxBodyBytes", mirror.maxBodyBytes(), 0, RequestMirror.MAX_BODY_BYTES);
  }

  private MirrorValidator() {}
}
