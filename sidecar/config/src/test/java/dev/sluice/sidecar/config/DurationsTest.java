package dev.sluice.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest(name = "{0} = {1} ms, formatted {2}")
  @CsvSource({
    "500ms, 500, 500ms",
    "2s, 2000, 2s",
    "1m30s, 90000, 90s",
    "1.5h, 5400000, 90m",
    "0s, 0, 0s",
    "1h, 3600000, 1h",
    "2m, 120000, 2m",
    "1s500ms, 1500, 1500ms",
  })
  void parsesAndFormatsShortest(String text, long millis, String formatted) {
    Duration duration = Durations.parse(text);
    assertThat(duration.toMillis()).isEqualTo(millis);
    assertThat(Durations.format(duration)).isEqualTo(formatted);
    assertThat(Durations.parse(Durations.format(duration))).isEqualTo(duration);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(
      strings = {"", "5", "5 s", "-1s", "1d", "s", "1.s", "2S", "1m 30s", "99999999999999999h"})
  void rejectsWithExpectation(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("expected: a duration like 500ms");
  }
}
