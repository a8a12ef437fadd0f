package dev.sluice.bench;

import dev.sluice.bench.charts.ChartsCommand;
import dev.sluice.bench.scale.OperatorScaleCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar bench/tools/target/sluice-bench-tools.jar <operator-scale|charts> ...}. */
@Command(
    name = "sluice-bench-tools",
    mixinStandardHelpOptions = true,
    description = "Tools of bench/run.py: the operator scale benchmark and the report's charts.",
    subcommands = {OperatorScaleCommand.class, ChartsCommand.class})
public final class BenchTools implements Runnable {
  @Override
  public void run() {
    // checkstyle:terminal-output-begin
    CommandLine.usage(this, System.out);
    // checkstyle:terminal-output-end
  }

  public static void main(String[] args) {
    // checkstyle:terminal-output-begin
    System.exit(new CommandLine(new BenchTools()).execute(args));
    // checkstyle:terminal-output-end
  }
}
