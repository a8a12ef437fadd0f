package dev.sluice.bench.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * PNG charts of a bench/run.py results file: one image per workload, one bar chart per figure, a
 * bar per peer. Prints the files written.
 */
@Command(
    name = "charts",
    mixinStandardHelpOptions = true,
    description = "PNG charts of a bench/run.py results JSON, one per workload.")
public final class ChartsCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "results JSON written by bench/run.py")
  Path results;

  @Option(names = "--out", required = true, description = "directory for the PNG files")
  Path out;

  @Option(names = "--prefix", defaultValue = "", description = "file name prefix, e.g. the date")
  String prefix;

  @Override
  public Integer call() throws Exception {
    JsonNode root = JsonMapper.builder().build().readTree(results.toFile());
    List<Path> written = write(Results.workloads(root), out, prefix);
    // checkstyle:terminal-output-begin
    written.forEach(p -> System.out.println(p));
    // checkstyle:terminal-output-end
    return 0;
  }

  /** Writes one PNG per workload with figures; returns the files. */
  public static List<Path> write(List<Results.Workload> workloads, Path out, String prefix)
      throws IOException {
    Files.createDirectories(out);
    List<Path> written = new ArrayList<>();
    for (Results.Workload workload : workloads) {
      if (workload.figures().isEmpty()) {
        continue;
      }
      Path file = out.resolve((prefix.isEmpty() ? "" : prefix + "-") + workload.id() + ".png");
      WorkloadChart.render(workload, file);
      written.add(file);
    }
    return written;
  }
}
