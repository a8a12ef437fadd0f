package dev.sluice.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SidecarReportTest {

  @Test
  void appliedReportRoundTripsWithDrainFigures() throws Exception {
    SidecarReport report =
        new SidecarReport(
            "0123456789abcdef",
            SidecarReport.Outcome.Applied,
            null,
            null,
            12L,
            new SidecarReport.Drain(4, 2, 5, 1, 2003),
            "2026-11-21T12:00:00Z");
    String json = SidecarConfigCodec.toJson(report);
    assertThat(json).doesNotContain("reason").contains("\"outcome\":\"Applied\"");
    assertThat(SidecarConfigCodec.readReport(json)).isEqualTo(report);
  }

  @Test
  void rejectedReportCarriesEveryProblem() throws Exception {
    SidecarReport report =
        new SidecarReport(
            "0123456789abcdef",
            SidecarReport.Outcome.Rejected,
            "rules[0].upstream: missing (expected: an upstream)",
            List.of("rules[0].upstream: missing (expected: an upstream)"),
            null,
            null,
            "2026-11-21T12:00:00Z");
    assertThat(SidecarConfigCodec.readReport(SidecarConfigCodec.toJson(report))).isEqualTo(report);
  }
}
