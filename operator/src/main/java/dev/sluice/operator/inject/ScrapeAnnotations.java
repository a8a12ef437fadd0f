package dev.sluice.operator.inject;

import dev.sluice.api.Labels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code prometheus.io/*} annotations that announce an injected sidecar's {@code /metrics} to a
 * Prometheus without the operator (pod discovery relabelled by annotation). That convention has one
 * scrape target per pod, so a pod with any {@code prometheus.io/*} annotation of its own keeps all
 * of them and gets none: its application's metrics stay the ones scraped.
 */
final class ScrapeAnnotations {
  static final String METRICS_PATH = "/metrics";

  /**
   * What to do with one pod.
   *
   * @param add the annotations to add (none when the pod has its own)
   * @param note why none were added, when the pod had its own (for the log)
   */
  record Decision(Map<String, String> add, @Nullable String note) {}

  private ScrapeAnnotations() {}

  static Decision forPod(Map<String, String> annotations, int adminPort) {
    List<String> own =
        annotations.keySet().stream()
            .filter(k -> k.startsWith(Labels.PROMETHEUS_PREFIX))
            .sorted()
            .toList();
    if (!own.isEmpty()) {
      return new Decision(
          Map.of(),
          "kept the pod's own "
              + String.join(", ", own)
              + " and added no prometheus.io/* annotation (one scrape target per pod in that"
              + " convention): the sidecar's "
              + METRICS_PATH
              + " on port "
              + adminPort
              + " is scraped only through the chart's PodMonitor");
    }
    Map<String, String> add = new LinkedHashMap<>();
    add.put(Labels.PROMETHEUS_SCRAPE, "true");
    add.put(Labels.PROMETHEUS_PORT, Integer.toString(adminPort));
    add.put(Labels.PROMETHEUS_PATH, METRICS_PATH);
    return new Decision(add, null);
  }
}
