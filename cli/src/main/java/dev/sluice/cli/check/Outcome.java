package dev.sluice.cli.check;

/** A check's verdict: only {@link #FAIL} fails {@code check} (exit 1). */
public enum Outcome {
  PASS,
  WARN,
  FAIL
}
