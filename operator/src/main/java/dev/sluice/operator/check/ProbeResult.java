package dev.sluice.operator.check;

/**
 * What one check of an install found: whether it passed and a sentence saying what it saw (on a
 * failure, what was expected).
 */
record ProbeResult(boolean ok, String what) {
  static ProbeResult ok(String what) {
    return new ProbeResult(true, what);
  }

  static ProbeResult failed(String what) {
    return new ProbeResult(false, what);
  }

  /** {@code ok <what>} or {@code FAIL <what>}: one line of the check's report. */
  String line() {
    return (ok ? "ok   " : "FAIL ") + what;
  }
}
