package dev.sluice.charts;

import static dev.sluice.charts.HelmChart.CHART;
import static dev.sluice.charts.HelmChart.KUBE;
import static dev.sluice.charts.HelmChart.ROOT;
import static dev.sluice.charts.HelmChart.load;
import static dev.sluice.charts.HelmChart.render;
import static dev.sluice.charts.HelmChart.template;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.sluice.operator.OperatorMain;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * charts/sluice as a package, with Helm itself (helm-java bundles it; offline): lint --strict, the
 * packaged archive holds every file Helm installs, and the helm test hook runs the operator's own
 * check, hardened, with the release's names, ports and CA. What it renders is checked by subject:
 * {@link ChartCrdsIT}, {@link ChartRbacIT}, {@link ChartMonitorsIT}, {@link ChartValuesIT}.
 */
class ChartIT {
  @Test
  void lintsStrictly() {
    LintResult lint = new Helm(CHART).lint().strict().call();
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
  }

  @Test
  void theBuildPackagesTheChartWithEveryFileHelmInstalls() throws IOException {
    String version =
        Files.readAllLines(CHART.resolve("Chart.yaml")).stream()
            .filter(l -> l.startsWith("version:"))
            .map(l -> l.substring("version:".length()).strip())
            .findFirst()
            .orElseThrow();
    Path packaged = ROOT.resolve("charts/target/helm/sluice-" + version + ".tgz");
    assertThat(packaged).as("written by the package phase (ChartPackager)").exists();
    List<String> entries = new ArrayList<>();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(packaged))) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
        String name = new String(header, 0, 100, StandardCharsets.US_ASCII).replace("\0", "");
        long size =
            Long.parseLong(
                new String(header, 124, 11, StandardCharsets.US_ASCII).replace("\0", "").trim(), 8);
        entries.add(name);
        in.skipNBytes((size + 511) / 512 * 512);
      }
    }
    List<String> expected = new ArrayList<>();
    try (Stream<Path> files = Files.walk(CHART)) {
      files
          .filter(Files::isRegularFile)
          .map(f -> "sluice/" + CHART.relativize(f).toString().replace('\\', '/'))
          .filter(f -> !f.endsWith(".helmignore"))
          .forEach(expected::add);
    }
    assertThat(entries).containsExactlyInAnyOrderElementsOf(expected);
  }

  /**
   * The helm test hook as Helm renders it for a release. helm-java's template prints the release's
   * manifest, which holds no hook, so this renders a copy of the chart in which the hook's
   * annotation is renamed (after checking the original has it), making it an ordinary template.
   */
  static List<HasMetadata> renderWithTestHook(
      String release, String namespace, Map<String, Object> values) throws IOException {
    Path copy = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "chart");
    try (Stream<Path> files = Files.walk(CHART)) {
      for (Path f : files.toList()) {
        Path to = copy.resolve(CHART.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.copy(f, to);
        }
      }
    }
    Path hook = copy.resolve("templates/tests/check-install.yaml");
    String text = Files.readString(hook);
    assertThat(text)
        .as("templates/tests/check-install.yaml is a test hook")
        .contains("    helm.sh/hook: test\n");
    Files.writeString(
        hook, text.replace("    helm.sh/hook: test\n", "    " + RENDERED_HOOK + ": test\n"));
    var template =
        new Helm(copy).template().withName(release).withNamespace(namespace).withKubeVersion(KUBE);
    values.forEach(template::set);
    return load(template.call());
  }

  /** The test hook's annotation in the copy {@link #renderWithTestHook} renders. */
  static final String RENDERED_HOOK = "sluice.dev/helm-test-hook";

  static Pod testHook(List<HasMetadata> rendered) {
    List<Pod> hooks =
        rendered.stream()
            .filter(Pod.class::isInstance)
            .map(Pod.class::cast)
            .filter(
                p ->
                    p.getMetadata().getAnnotations() != null
                        && "test".equals(p.getMetadata().getAnnotations().get(RENDERED_HOOK)))
            .toList();
    assertThat(hooks).as("helm test hooks").hasSize(1);
    return hooks.get(0);
  }

  @Test
  void theHelmTestRunsTheOperatorsOwnCheckHardenedWithTheInstallsNamesPortsAndCa()
      throws IOException {
    assertThat(render(Map.of()))
        .as("a test hook is no part of the release's manifest")
        .noneMatch(o -> o instanceof Pod);
    Pod hook = testHook(renderWithTestHook("sluice", "sluice-system", Map.of()));
    assertThat(hook.getMetadata().getAnnotations())
        .containsEntry("helm.sh/hook-delete-policy", "before-hook-creation,hook-succeeded");
    var spec = hook.getSpec();
    assertThat(spec.getRestartPolicy()).isEqualTo("Never");
    assertThat(spec.getAutomountServiceAccountToken()).isFalse();
    assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
    var container = spec.getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("ghcr.io/sluice/operator:0.1.0");
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getResources().getLimits()).containsKey("memory");
    assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(container.getArgs())
        .containsExactly(
            "check-install",
            "--service=sluice-operator",
            "--namespace=sluice-system",
            "--admin-port=8080",
            "--webhook-port=9443",
            "--config-service-port=8443",
            "--ca-file=/etc/sluice/ca/ca.crt",
            "--timeout=60s");
    var ca =
        spec.getVolumes().stream()
            .filter(v -> v.getSecret() != null)
            .findFirst()
            .orElseThrow()
            .getSecret();
    assertThat(ca.getSecretName()).as("the operator's TLS Secret").isEqualTo("sluice-operator-tls");
    assertThat(ca.getItems())
        .as("only the CA certificate, never a key")
        .singleElement()
        .satisfies(i -> assertThat(i.getKey()).isEqualTo("ca.crt"));
    assertThat(container.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath() + "/" + ca.getItems().get(0).getPath())
                  .isEqualTo("/etc/sluice/ca/ca.crt");
              assertThat(m.getReadOnly()).isTrue();
            });
    // The operator's own command takes exactly these arguments.
    var parsed =
        new CommandLine(new OperatorMain()).parseArgs(container.getArgs().toArray(String[]::new));
    assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("check-install");
  }

  @Test
  void theHelmTestFollowsTheReleaseNamePortsImageAndPullSecrets() throws IOException {
    Pod hook =
        testHook(
            renderWithTestHook(
                "edge",
                "proxies",
                Map.of(
                    "ports.webhook", 10443,
                    "ports.admin", 9090,
                    "operator.image.tag", "0.2.0",
                    "imagePullSecrets[0].name", "registry",
                    "tests.readinessTimeout", "2m")));
    var container = hook.getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("ghcr.io/sluice/operator:0.2.0");
    assertThat(container.getArgs())
        .contains(
            "--service=edge-sluice-operator",
            "--namespace=proxies",
            "--webhook-port=10443",
            "--admin-port=9090",
            "--timeout=2m");
    assertThat(hook.getSpec().getImagePullSecrets())
        .extracting(r -> r.getName())
        .containsExactly("registry");
    assertThat(hook.getSpec().getVolumes())
        .anySatisfy(
            v -> assertThat(v.getSecret().getSecretName()).isEqualTo("edge-sluice-operator-tls"));
  }
}
