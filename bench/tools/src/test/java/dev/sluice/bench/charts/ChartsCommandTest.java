package dev.sluice.bench.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsCommandTest {
  @TempDir Path dir;

  static JsonNode json(String text) throws Exception {
    return JsonMapper.builder().build().readTree(text);
  }

  @Test
  void oneImagePerWorkloadWithAChartPerFigureInAGridOfThree() throws Exception {
    JsonNode results =
        json(
            """
            {"workloads": [
              {"id": "uploads", "title": "Uploads", "figures": [
                {"name": "1MiB (MiB/s)", "better": "higher",
                 "values": {"Sluice": 80.5, "HAProxy 2.6": 90.1, "direct": 120}},
                {"name": "64MiB (MiB/s)", "better": "higher",
                 "values": {"Sluice": 180, "HAProxy 2.6": 200, "direct": null}},
                {"name": "p50 (ms)", "better": "lower", "values": {"Sluice": 1.5}},
                {"name": "p99 (ms)", "better": "lower", "values": {"Sluice": 2.5}}]},
              {"id": "empty", "title": "Nothing measured", "figures": [
                {"name": "x", "values": {"Sluice": null}}]}
            ]}
            """);

    List<Path> written = ChartsCommand.write(Results.workloads(results), dir, "2026-11-21");

    assertThat(written).containsExactly(dir.resolve("2026-11-21-uploads.png"));
    BufferedImage image = ImageIO.read(written.get(0).toFile());
    // Four figures: three charts in the first row, one in the second.
    assertThat(image.getWidth()).isEqualTo(3 * WorkloadChart.WIDTH);
    assertThat(image.getHeight()).isEqualTo(2 * WorkloadChart.HEIGHT);
  }

  @Test
  void aPeerWithoutANumberIsLeftOutOfItsFigure() throws Exception {
    List<Results.Workload> workloads =
        Results.workloads(
            json(
                """
                {"workloads": [{"id": "m", "title": "Memory", "figures": [
                  {"name": "RSS (MiB)", "better": "lower",
                   "values": {"Sluice": 60, "HAProxy 2.6": 16, "direct": null}}]}]}
                """));

    Results.Figure figure = workloads.get(0).figures().get(0);
    assertThat(figure.values()).containsOnlyKeys("Sluice", "HAProxy 2.6");
    assertThat(figure.higherIsBetter()).isFalse();
  }

  @Test
  void malformedResultsNameTheFieldAndWhatWasExpected() {
    assertThatThrownBy(() -> Results.workloads(json("{\"workloads\": {}}")))
        .hasMessage("results: \"workloads\" is OBJECT (expected: an array)");
    assertThatThrownBy(
            () -> Results.workloads(json("{\"workloads\": [{\"title\": \"t\", \"figures\": []}]}")))
        .hasMessageStartingWith("results: \"id\" missing or not a string in ");
  }
}
