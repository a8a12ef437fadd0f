package dev.sluice.charts;

import static dev.sluice.charts.HelmChart.CHART;
import static dev.sluice.charts.HelmChart.operatorArgs;
import static dev.sluice.charts.HelmChart.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import dev.sluice.operator.OperatorMain;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * How the chart gets sidecars and the operator scraped: monitors where the cluster serves the
 * Prometheus operator's API (as helm install asks discovery) unless forced either way, the
 * PodMonitor on every injected sidecar's admin port, scrape annotations only when asked for.
 */
class ChartMonitorsIT {
  /**
   * The objects {@code helm install --dry-run} would create on a cluster that serves {@code kinds}:
   * Helm asks the cluster's API discovery for {@code .Capabilities}, as a real install does.
   */
  static List<String> wouldCreate(List<DiscoveryApiServer.Kind> kinds, Map<String, Object> values)
      throws IOException {
    try (DiscoveryApiServer api = new DiscoveryApiServer(kinds)) {
      Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "helm");
      var install =
          new Helm(CHART)
              .install()
              .withName("sluice")
              .withNamespace("sluice-system")
              .dryRun()
              .withDryRunOption(DryRun.CLIENT)
              .disableOpenApiValidation()
              .withKubeConfig(api.kubeconfig(dir));
      values.forEach(install::set);
      install.call();
      return api.lookups();
    }
  }

  static final List<DiscoveryApiServer.Kind> WITH_PROMETHEUS_OPERATOR =
      Stream.concat(
              DiscoveryApiServer.BUILT_IN.stream(), DiscoveryApiServer.PROMETHEUS_OPERATOR.stream())
          .toList();

  static boolean isMonitor(String object) {
    return object.startsWith("PodMonitor/") || object.startsWith("ServiceMonitor/");
  }

  @Test
  void monitorsAreOnWhereTheClusterServesThePrometheusOperatorsApiUnlessForcedEitherWay()
      throws IOException {
    assertThat(wouldCreate(WITH_PROMETHEUS_OPERATOR, Map.of()))
        .as("helm install, defaults, on a cluster with the Prometheus operator's CRDs")
        .contains(
            "Deployment/sluice-operator",
            "PodMonitor/sluice-sidecars",
            "ServiceMonitor/sluice-operator");
    assertThat(wouldCreate(DiscoveryApiServer.BUILT_IN, Map.of()))
        .as("helm install, defaults, on a cluster without them")
        .contains("Deployment/sluice-operator")
        .noneMatch(ChartMonitorsIT::isMonitor);
    assertThat(
            wouldCreate(
                WITH_PROMETHEUS_OPERATOR,
                Map.of(
                    "metrics.podMonitor.enabled",
                    false,
                    "metrics.serviceMonitor.enabled",
                    "false")))
        .as("false: never, even where the API is served")
        .contains("Deployment/sluice-operator")
        .noneMatch(ChartMonitorsIT::isMonitor);
    // helm template asks no cluster: Helm's own API versions, which have no monitoring.coreos.com
    assertThat(render(Map.of()))
        .extracting(HasMetadata::getKind)
        .contains("Deployment")
        .doesNotContain("PodMonitor", "ServiceMonitor");
    assertThat(
            render(
                Map.of(
                    "metrics.podMonitor.enabled", true, "metrics.serviceMonitor.enabled", "true")))
        .as("true: always")
        .extracting(HasMetadata::getKind)
        .contains("PodMonitor", "ServiceMonitor");
    assertThatThrownBy(() -> render(Map.of("metrics.podMonitor.enabled", "sometimes")))
        .hasMessageContaining("at '/metrics/podMonitor/enabled'");
  }

  @Test
  void sidecarScrapeAnnotationsAreTheOperatorsFlagOnlyWhenAskedFor() {
    assertThat(operatorArgs(render(Map.of()))).doesNotContain("--sidecar-scrape-annotations");
    List<String> args = operatorArgs(render(Map.of("metrics.sidecarScrapeAnnotations", true)));
    assertThat(args).contains("--sidecar-scrape-annotations");
    var parsed = new CommandLine(new OperatorMain()).parseArgs(args.toArray(String[]::new));
    assertThat(parsed.<Boolean>matchedOptionValue("--sidecar-scrape-annotations", false))
        .as("the operator's own command takes it")
        .isTrue();
    assertThatThrownBy(() -> render(Map.of("metrics.sidecarScrapeAnnotations", "yes")))
        .hasMessageContaining("at '/metrics/sidecarScrapeAnnotations'");
  }

  @Test
  void thePodMonitorScrapesEveryInjectedSidecarsAdminPort() {
    HasMetadata monitor =
        render(Map.of("metrics.podMonitor.enabled", true, "metrics.podMonitor.interval", "15s"))
            .stream()
            .filter(o -> o.getKind().equals("PodMonitor"))
            .findFirst()
            .orElseThrow();
    @SuppressWarnings("unchecked")
    Map<String, Object> spec =
        (Map<String, Object>)
            Serialization.jsonMapper().convertValue(monitor, Map.class).get("spec");
    assertThat(spec.get("namespaceSelector")).isEqualTo(Map.of("any", true));
    assertThat(spec.get("selector"))
        .as("the label the injector puts on every pod it gives a sidecar")
        .isEqualTo(Map.of("matchLabels", Map.of("sluice.dev/sidecar", "true")));
    assertThat(spec.get("podMetricsEndpoints"))
        .as("the injected container's admin port, by name")
        .isEqualTo(List.of(Map.of("port", "sluice-admin", "path", "/metrics", "interval", "15s")));
  }
}
