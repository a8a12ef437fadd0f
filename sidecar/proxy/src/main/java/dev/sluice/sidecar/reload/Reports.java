package dev.sluice.sidecar.reload;

import dev.sluice.sidecar.config.ConfigProblem;
import dev.sluice.sidecar.config.InvalidConfigException;
import dev.sluice.sidecar.config.SidecarReport;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Builds the contract's reload reports. */
public final class Reports {
  public static SidecarReport applied(@Nullable String revision, long swapMillis) {
    return new SidecarReport(
        revision, SidecarReport.Outcome.Applied, null, List.of(), swapMillis, null, now());
  }

  public static SidecarReport rejected(@Nullable String revision, InvalidConfigException e) {
    List<String> problems = e.problems().stream().map(ConfigProblem::toString).toList();
    return new SidecarReport(
        revision,
        SidecarReport.Outcome.Rejected,
        problems.isEmpty() ? e.getMessage() : problems.get(0),
        problems,
        null,
        null,
        now());
  }

  public static SidecarReport rejected(@Nullable String revision, String reason) {
    return new SidecarReport(
        revision, SidecarReport.Outcome.Rejected, reason, List.of(reason), null, null, now());
  }

  /** {@code report} with the drain figures of the generation it replaced. */
  public static SidecarReport withDrain(SidecarReport report, SidecarReport.Drain drain) {
    return new SidecarReport(
        report.revision(),
        report.outcome(),
        report.reason(),
        report.problems(),
        report.swapMillis(),
        drain,
        report.time());
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private Reports() {}
}
