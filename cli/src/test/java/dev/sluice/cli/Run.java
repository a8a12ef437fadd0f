package dev.sluice.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;

/** One run of {@code kubectl sluice} in-process: its exit code and what it printed. */
record Run(int exitCode, String out, String err) {
  static Run of(Clock clock, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        KubectlSluice.run(
            new Session(new PrintWriter(out, true), new PrintWriter(err, true), clock), args);
    return new Run(code, out.toString(), err.toString());
  }
}
