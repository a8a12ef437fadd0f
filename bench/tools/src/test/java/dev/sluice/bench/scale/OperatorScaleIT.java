package dev.sluice.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The scale benchmark at a small scale, end to end: the real operator jar, simulated sidecars on
 * the embedded API server, one change rolled out in batches. Asserts that it measures what it says
 * (every pod reached, figures present), never how fast.
 */
class OperatorScaleIT {
  @TempDir Path work;

  @Test
  void aChangeReachesEveryPodAndTheFiguresAreReported() throws Exception {
    OperatorScaleCommand command = new OperatorScaleCommand();
    new CommandLine(command)
        .parseArgs(
            "--operator-jar=" + System.getProperty("sluice.operator.jar"),
            "--namespaces=2",
            "--pods-per-namespace=10",
            "--routes-per-namespace=2",
            "--batch=30%",
            "--timeout=120",
            "--work=" + work);

    Map<String, Object> figures = command.run();

    assertThat(figures)
        .containsEntry("completed", true)
        .containsEntry("pods", 20)
        .containsEntry("routes", 4)
        .containsKeys(
            "firstConfigAllPodsSeconds",
            "changeAllPodsSeconds",
            "changeRoutesReadySeconds",
            "operatorHeapUsedPeakMiB",
            "operatorRssPeakMiB",
            "operatorCpuSecondsForChange");
    assertThat((Double) figures.get("operatorHeapUsedPeakMiB")).isPositive();
    assertThat((Double) figures.get("changeRoutesReadySeconds"))
        .isGreaterThanOrEqualTo((Double) figures.get("changeAllPodsSeconds"));
  }
}
