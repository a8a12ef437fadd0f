package dev.sluice.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.sluice.operator.pods.PodRollout;
import dev.sluice.operator.testing.CapturedLog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rollout log's vocabulary: one line a step, its fields as key-value pairs (what the JSON
 * format writes as fields) and the same in the message (what the text format shows), WARN when a
 * human needs to look; a sidecar's report is a step only when it says something new.
 */
class RolloutLogTest {
  static final String R1 = "a645b41c2617ba3a";
  static final String R2 = "47e9e6722c0778d1";

  @ParameterizedTest(name = "{0} is logged as step={1} at {2}")
  @CsvSource({
    "ASSIGNED, assigned, INFO",
    "APPLIED, applied, INFO",
    "REJECTED, rejected, WARN",
    "ROLLED_BACK, rolled-back, WARN",
    "HELD, held, WARN",
    "STALLED, stalled, WARN"
  })
  void everyStepIsOneLineWithItsNameAndLevel(RolloutStep step, String key, String level) {
    try (CapturedLog log = new CapturedLog(RolloutLog.class)) {
      RolloutLog.write("shop", List.of("shop/web"), new PodStep(step, "web-1", R2, null, null));
      assertThat(log.lines()).hasSize(1);
      ILoggingEvent line = log.lines().get(0);
      assertThat(line.getLevel()).isEqualTo(Level.toLevel(level));
      assertThat(CapturedLog.fields(line))
          .containsExactly(
              Map.entry("step", key),
              Map.entry("route", "shop/web"),
              Map.entry("pod", "shop/web-1"),
              Map.entry("revision", R2));
      assertThat(line.getFormattedMessage())
          .isEqualTo("rollout step=" + key + " route=shop/web pod=shop/web-1 revision=" + R2);
    }
  }

  @Test
  void aRejectionCarriesWhatThePodRunsAndTheSidecarsWordsQuotedInTheText() {
    try (CapturedLog log = new CapturedLog(RolloutLog.class)) {
      RolloutLog.write(
          "shop",
          List.of("shop/web", "shop/api"),
          new PodStep(
              RolloutStep.REJECTED, "web-1", R2, R1, "listener 0.0.0.0:8080: address \"in use\""));
      ILoggingEvent line = log.lines().get(0);
      assertThat(CapturedLog.fields(line))
          .containsExactly(
              Map.entry("step", "rejected"),
              Map.entry("route", "shop/api,shop/web"),
              Map.entry("pod", "shop/web-1"),
              Map.entry("revision", R2),
              Map.entry("previousRevision", R1),
              Map.entry("reason", "listener 0.0.0.0:8080: address \"in use\""));
      assertThat(line.getFormattedMessage())
          .isEqualTo(
              "rollout step=rejected route=shop/api,shop/web pod=shop/web-1 revision="
                  + R2
                  + " previousRevision="
                  + R1
                  + " reason=\"listener 0.0.0.0:8080: address \\\"in use\\\"\"");
    }
  }

  @Test
  void aPodNoRouteRendersForHasNoRouteField() {
    try (CapturedLog log = new CapturedLog(RolloutLog.class)) {
      RolloutLog.write(
          "shop", List.of(), new PodStep(RolloutStep.ASSIGNED, "web-1", R1, null, null));
      assertThat(log.fields())
          .singleElement()
          .satisfies(f -> assertThat(f).doesNotContainKey("route"));
      assertThat(log.lines().get(0).getFormattedMessage())
          .isEqualTo("rollout step=assigned pod=shop/web-1 revision=" + R1);
    }
  }

  @Test
  void aReportIsAStepWhenItChangesWhatThePodRecords() {
    PodRollout runsR1 = new PodRollout("web-1", R2, null, R1, null, null);
    assertThat(PodStep.reported("web-1", runsR1, true, R2, null))
        .isEqualTo(new PodStep(RolloutStep.APPLIED, "web-1", R2, R1, null));
    assertThat(PodStep.reported("web-1", runsR1, false, R2, "bad"))
        .isEqualTo(new PodStep(RolloutStep.REJECTED, "web-1", R2, R1, "bad"));
    assertThat(PodStep.reported("web-1", null, true, R1, null))
        .as("a first config")
        .isEqualTo(new PodStep(RolloutStep.APPLIED, "web-1", R1, null, null));

    // A sidecar that restarts reports what it runs, or refused, again: nothing new.
    assertThat(PodStep.reported("web-1", runsR1, true, R1, null)).isNull();
    PodRollout refusedR2 = new PodRollout("web-1", R1, null, R1, R2, "bad");
    assertThat(PodStep.reported("web-1", refusedR2, false, R2, "bad")).isNull();
  }
}
