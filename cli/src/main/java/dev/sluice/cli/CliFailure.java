package dev.sluice.cli;

/**
 * What the user sees when a command cannot do its job: one sentence (naming what was asked, what
 * was found and what was expected) and the exit code it ends with.
 */
public final class CliFailure extends RuntimeException {
  /** A check failed or what was named does not exist. */
  public static final int FAILED = 1;

  /** The Kubernetes API server cannot be reached (or a flag is invalid, as picocli says). */
  public static final int UNREACHABLE = 2;

  private final int exitCode;

  public CliFailure(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
