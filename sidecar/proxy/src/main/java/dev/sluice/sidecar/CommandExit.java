package dev.sluice.sidecar;

import java.io.PrintWriter;

/** An exit of the command with {@code code}, after what went wrong was printed. */
final class CommandExit extends Exception {
  private static final long serialVersionUID = 1L;
  final int code;

  CommandExit(int code) {
    super(null, null, false, false);
    this.code = code;
  }

  /** Prints {@code problem} to {@code err} and returns the exit for an invalid config or usage. */
  static CommandExit invalid(PrintWriter err, String problem) {
    err.println("sluice-sidecar: " + problem);
    err.flush();
    return new CommandExit(SidecarMain.EXIT_INVALID);
  }
}
