package dev.sluice.charts;

import com.marcnuri.helm.Helm;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code helm package} for the build, with the Helm that helm-java bundles (no helm binary on the
 * machine): {@code ChartPackager CHART_DIR DESTINATION} writes {@code <name>-<version>.tgz} into
 * DESTINATION. Run by the charts module's {@code package} phase.
 */
public final class ChartPackager {
  private ChartPackager() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      throw new IllegalArgumentException(
          "usage: ChartPackager CHART_DIR DESTINATION (got " + args.length + " arguments)");
    }
    Path chart = Path.of(args[0]);
    Path destination = Files.createDirectories(Path.of(args[1]));
    new Helm(chart).packageIt().withDestination(destination).call();
  }
}
