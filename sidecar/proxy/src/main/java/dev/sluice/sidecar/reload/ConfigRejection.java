package dev.sluice.sidecar.reload;

import dev.sluice.sidecar.config.InvalidConfigException;
import dev.sluice.sidecar.config.SidecarReport;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Why a config was not applied, mapped to its report in one place: a config with problems names
 * each by field path; one that could not be read or built names what failed and how, never a bare
 * exception message (which may be null).
 */
public final class ConfigRejection extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient SidecarReport report;

  private ConfigRejection(SidecarReport report) {
    super(report.reason());
    this.report = report;
  }

  /** The config has problems, each named by field path. */
  public static ConfigRejection invalid(
      @Nullable String revision, InvalidConfigException problems) {
    return new ConfigRejection(Reports.rejected(revision, problems));
  }

  /** The config could not be read from its source. */
  public static ConfigRejection unreadable(Exception cause) {
    return new ConfigRejection(
        Reports.rejected(null, "the config could not be read: " + describe(cause)));
  }

  /** The config is valid but its runtime could not be built (a file, a port, a certificate). */
  public static ConfigRejection notBuilt(@Nullable String revision, RuntimeException cause) {
    return new ConfigRejection(Reports.rejected(revision, describe(cause)));
  }

  /** Rejected for {@code reason} (a sentence saying what and why). */
  public static ConfigRejection because(@Nullable String revision, String reason) {
    return new ConfigRejection(Reports.rejected(revision, reason));
  }

  public SidecarReport report() {
    return report;
  }

  /**
   * A failure as a sentence: its message when it has one; an unexpected kind (a bug, not a bad
   * config) is named with its type so it can be told from a config problem.
   */
  static String describe(Throwable cause) {
    String message = cause.getMessage();
    boolean expected = cause instanceof IllegalStateException || cause instanceof IOException;
    if (message == null || message.isBlank()) {
      return cause.getClass().getSimpleName() + " (no message)";
    }
    return expected ? message : cause.getClass().getSimpleName() + ": " + message;
  }
}
