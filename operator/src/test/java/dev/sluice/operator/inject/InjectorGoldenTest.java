package dev.sluice.operator.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.api.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Injection is a pure function, so its tests are golden files: one pod in, the admitted pod out
 * ({@code -Dgolden.update=true} rewrites them; without it a missing one fails). Opt-in by namespace
 * and by pod, opt-out, not opted in, already injected (idempotent), native versus regular sidecar,
 * per-pod overrides.
 */
public class InjectorGoldenTest {
  static final Path CASES = Path.of("src/test/resources/inject");
  static final ObjectMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = JsonMapper.builder().build();
  public static final InjectionSettings NATIVE =
      new InjectionSettings(
          "ghcr.io/sluice/sidecar:0.1.0",
          "https://sluice-operator.sluice-system.svc:8443",
          "sluice-ca",
          true,
          "100m",
          "128Mi",
          "256Mi",
          SidecarAccessLog.JSON,
          SidecarTracing.OFF,
          "0.1.0",
          false);
  static final InjectionSettings REGULAR =
      settings(false, SidecarAccessLog.JSON, SidecarTracing.OFF, false);
  static final InjectionSettings SCRAPED =
      settings(true, SidecarAccessLog.JSON, SidecarTracing.OFF, true);
  static final Map<String, String> ENABLED_NAMESPACE = Map.of(Labels.INJECT, "enabled");

  /** {@link #NATIVE}'s image, URLs, resources and version with these. */
  static InjectionSettings settings(
      boolean nativeSidecars,
      SidecarAccessLog accessLog,
      SidecarTracing tracing,
      boolean scrapeAnnotations) {
    return new InjectionSettings(
        NATIVE.image(),
        NATIVE.configServiceUrl(),
        NATIVE.caConfigMap(),
        nativeSidecars,
        NATIVE.cpuRequest(),
        NATIVE.memoryRequest(),
        NATIVE.memoryLimit(),
        accessLog,
        tracing,
        NATIVE.version(),
        scrapeAnnotations);
  }

  static Pod pod() throws Exception {
    return JSON.treeToValue(YAML.readTree(CASES.resolve("pod.yaml").toFile()), Pod.class);
  }

  static void assertGolden(String name, InjectionResult result) throws Exception {
    String actual =
        "# injected: "
            + result.injected()
            + (result.skipReason() == null ? "" : " (" + result.skipReason() + ")")
            + "\n"
            + YAML.writeValueAsString(result.pod());
    Path expected = CASES.resolve(name + ".expected.yaml");
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(expected, actual);
    }
    assertThat(expected)
        .as("golden file (create it with -Dgolden.update=true, then review it)")
        .exists();
    assertThat(actual).isEqualTo(Files.readString(expected));
  }

  @Test
  void aNamespaceOptInGetsANativeSidecarFirstAmongTheInitContainers() throws Exception {
    InjectionResult result = Injector.inject(pod(), ENABLED_NAMESPACE, NATIVE);
    assertThat(result.injected()).isTrue();
    assertThat(result.pod().getSpec().getInitContainers().get(0).getName())
        .isEqualTo(Injector.CONTAINER);
    assertThat(result.pod().getSpec().getInitContainers().get(0).getRestartPolicy())
        .isEqualTo("Always");
    assertThat(result.pod().getSpec().getContainers()).hasSize(1);
    assertGolden("native", result);
  }

  @Test
  void aPodOptInOnAnOlderClusterGetsARegularFirstContainer() throws Exception {
    Pod pod =
        new PodBuilder(pod())
            .editMetadata()
            .addToLabels(Labels.INJECT, "true")
            .endMetadata()
            .build();
    InjectionResult result = Injector.inject(pod, Map.of(), REGULAR);
    assertThat(result.injected()).isTrue();
    assertThat(result.pod().getSpec().getContainers().get(0).getName())
        .isEqualTo(Injector.CONTAINER);
    assertThat(result.pod().getSpec().getContainers().get(0).getRestartPolicy()).isNull();
    assertGolden("regular", result);
  }

  @Test
  void theSidecarWritesItsAccessLogInTheConfiguredFormat() throws Exception {
    assertThat(sidecarArgs(NATIVE)).containsSequence("--access-log", "json");
    assertThat(Stream.of(SidecarAccessLog.values()).map(SidecarAccessLog::flag))
        .as("what the sidecar's --access-log takes")
        .containsExactly("json", "text", "off");
    for (SidecarAccessLog format : SidecarAccessLog.values()) {
      assertThat(sidecarArgs(settings(true, format, SidecarTracing.OFF, false)))
          .containsSequence("--access-log", format.flag());
    }
  }

  @Test
  void theSidecarExportsSpansOnlyWhenAnEndpointIsSet() throws Exception {
    assertThat(sidecarArgs(NATIVE))
        .as("no endpoint: the sidecar's own default, no export")
        .doesNotContain("--otlp-endpoint", "--otlp-service-name");
    URI collector = URI.create("http://otel-collector.observability:4318/v1/traces");
    InjectionSettings traced =
        settings(true, SidecarAccessLog.JSON, new SidecarTracing(collector, "shop-edge"), false);
    List<String> expected = new ArrayList<>(sidecarArgs(NATIVE));
    expected.addAll(
        expected.indexOf("--threads"),
        List.of("--otlp-endpoint", collector.toString(), "--otlp-service-name", "shop-edge"));
    assertThat(sidecarArgs(traced)).as("the two added, nothing else changed").isEqualTo(expected);
  }

  @Test
  void theOperatorTakesTheEndpointsTheSidecarTakes() {
    assertThat(
            Stream.of(
                "http://otel-collector.observability:4318/v1/traces",
                "https://collector.example.com/v1/traces",
                "http://10.0.0.7:4318/v1/traces",
                "http://[fd00::7]:4318/v1/traces"))
        .allSatisfy(url -> assertThat(SidecarTracing.endpointFromFlag(url)).hasToString(url));
    assertThat(
            Stream.of(
                "ftp://x",
                "otel-collector:4318",
                "otel-collector.observability:4318/v1/traces",
                "http://",
                "http:///v1/traces",
                "http://under_score:4318/v1/traces",
                "http://a b/v1/traces",
                ""))
        .as("not an http or https URL with a host, as SidecarMain's --otlp-endpoint requires")
        .allSatisfy(url -> assertThat(SidecarTracing.endpointFromFlag(url)).isNull());
  }

  static List<String> sidecarArgs(InjectionSettings settings) throws Exception {
    return Injector.inject(pod(), ENABLED_NAMESPACE, settings)
        .pod()
        .getSpec()
        .getInitContainers()
        .get(0)
        .getArgs();
  }

  @Test
  void injectingAnInjectedPodChangesNothing() throws Exception {
    Pod once = Injector.inject(pod(), ENABLED_NAMESPACE, NATIVE).pod();
    InjectionResult twice = Injector.inject(once, ENABLED_NAMESPACE, NATIVE);
    assertThat(twice.injected()).isFalse();
    assertThat(twice.skipReason()).isEqualTo("already injected");
    assertThat(twice.pod()).isEqualTo(once);
    // also recognized by the container alone (annotation stripped by some tool)
    Pod stripped =
        new PodBuilder(once).editMetadata().withAnnotations(Map.of()).endMetadata().build();
    assertThat(Injector.inject(stripped, ENABLED_NAMESPACE, NATIVE).injected()).isFalse();
  }

  @Test
  void optOutAndNoOptInAreSkippedWithTheirReason() throws Exception {
    Pod optOut =
        new PodBuilder(pod())
            .editMetadata()
            .addToLabels(Labels.INJECT, "false")
            .endMetadata()
            .build();
    InjectionResult out = Injector.inject(optOut, ENABLED_NAMESPACE, NATIVE);
    assertThat(out.injected()).isFalse();
    assertThat(out.skipReason()).isEqualTo("pod label sluice.dev/inject=false opts out");
    assertThat(out.pod()).isEqualTo(optOut);
    InjectionResult none = Injector.inject(pod(), Map.of("team", "shop"), NATIVE);
    assertThat(none.injected()).isFalse();
    assertThat(none.skipReason())
        .isEqualTo(
            "neither namespace label sluice.dev/inject=enabled nor pod label"
                + " sluice.dev/inject=true");
    Pod host = new PodBuilder(pod()).editSpec().withHostNetwork(true).endSpec().build();
    assertThat(Injector.inject(host, ENABLED_NAMESPACE, NATIVE).skipReason())
        .startsWith("hostNetwork pods");
  }

  @Test
  void annotationsOverrideImageAndResources() throws Exception {
    Pod pod =
        new PodBuilder(pod())
            .editMetadata()
            .addToAnnotations(Labels.SIDECAR_IMAGE, "registry.local/sidecar:debug")
            .addToAnnotations(Labels.SIDECAR_MEMORY_LIMIT, "512Mi")
            .endMetadata()
            .build();
    var sidecar =
        Injector.inject(pod, ENABLED_NAMESPACE, NATIVE).pod().getSpec().getInitContainers().get(0);
    assertThat(sidecar.getImage()).isEqualTo("registry.local/sidecar:debug");
    assertThat(sidecar.getResources().getLimits().get("memory").toString()).isEqualTo("512Mi");
    assertThat(sidecar.getResources().getRequests().get("memory").toString()).isEqualTo("128Mi");
  }

  @Test
  void kubectlKeepsLandingInTheAppAndAPodsOwnChoiceStays() throws Exception {
    Pod pod =
        new PodBuilder(pod())
            .editMetadata()
            .addToLabels(Labels.INJECT, "true")
            .endMetadata()
            .build();
    assertThat(defaultContainer(Injector.inject(pod, Map.of(), REGULAR)))
        .as("the app, not the sidecar now first")
        .isEqualTo(pod.getSpec().getContainers().get(0).getName());
    Pod chosen =
        new PodBuilder(pod)
            .editMetadata()
            .addToAnnotations(Injector.DEFAULT_CONTAINER, "debug-shell")
            .endMetadata()
            .build();
    assertThat(defaultContainer(Injector.inject(chosen, Map.of(), REGULAR)))
        .isEqualTo("debug-shell");
    assertThat(Injector.inject(pod, Map.of(), NATIVE).pod().getMetadata().getAnnotations())
        .as("a native sidecar is an init container: kubectl never picks it")
        .doesNotContainKey(Injector.DEFAULT_CONTAINER);
  }

  private static String defaultContainer(InjectionResult result) {
    return result.pod().getMetadata().getAnnotations().get(Injector.DEFAULT_CONTAINER);
  }

  @Test
  void theSidecarRunsOneIoThreadPerRequestedCoreUnderTheRuntimesSeccompProfile() throws Exception {
    var sidecar =
        Injector.inject(pod(), ENABLED_NAMESPACE, NATIVE)
            .pod()
            .getSpec()
            .getInitContainers()
            .get(0);
    assertThat(sidecar.getArgs()).containsSubsequence("--threads", "$(SLUICE_CPU_REQUEST)");
    var cpu =
        sidecar.getEnv().stream()
            .filter(e -> e.getName().equals(Injector.CPU_ENV))
            .findFirst()
            .orElseThrow()
            .getValueFrom()
            .getResourceFieldRef();
    assertThat(cpu.getResource()).isEqualTo("requests.cpu");
    assertThat(cpu.getDivisor().toString())
        .as("whole cores, rounded up by the kubelet")
        .isEqualTo("1");
    // the JVM sizes itself by the request too; the kubelet expands $(VAR) in a value only when
    // VAR is defined before it in the same container
    var names = sidecar.getEnv().stream().map(e -> e.getName()).toList();
    assertThat(names.indexOf(Injector.JVM_OPTIONS_ENV))
        .isGreaterThan(names.indexOf(Injector.CPU_ENV));
    assertThat(sidecar.getEnv().get(names.indexOf(Injector.JVM_OPTIONS_ENV)).getValue())
        .isEqualTo("-XX:ActiveProcessorCount=$(SLUICE_CPU_REQUEST)");
    assertThat(sidecar.getSecurityContext().getSeccompProfile().getType())
        .isEqualTo("RuntimeDefault");
  }

  @Test
  void askedToThePodIsAnnotatedForAnnotationBasedScrapingOfTheSidecarsAdminPort() throws Exception {
    InjectionResult result = Injector.inject(pod(), ENABLED_NAMESPACE, SCRAPED);
    assertThat(result.injected()).isTrue();
    assertThat(result.note()).isNull();
    var sidecar = result.pod().getSpec().getInitContainers().get(0);
    int adminPort =
        sidecar.getPorts().stream()
            .filter(p -> p.getName().equals("sluice-admin"))
            .findFirst()
            .orElseThrow()
            .getContainerPort();
    assertThat(result.pod().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", Integer.toString(adminPort))
        .containsEntry("prometheus.io/path", "/metrics");
    assertThat(sidecar.getLivenessProbe().getHttpGet().getPort().getIntVal())
        .as("the port the sidecar's admin listener (and so /metrics) answers on")
        .isEqualTo(adminPort);
    assertGolden("scrape-annotations", result);
    assertThat(Injector.inject(pod(), ENABLED_NAMESPACE, NATIVE).pod().getMetadata())
        .as("off by default")
        .satisfies(
            m ->
                assertThat(m.getAnnotations().keySet())
                    .noneMatch(k -> k.startsWith("prometheus.io/")));
  }

  @Test
  void aPodWithAnyPrometheusAnnotationOfItsOwnKeepsThemAllAndGetsNoneAndTheLogSaysSo()
      throws Exception {
    Pod own =
        new PodBuilder(pod())
            .editMetadata()
            .addToAnnotations("prometheus.io/port", "9102")
            .endMetadata()
            .build();
    InjectionResult result = Injector.inject(own, ENABLED_NAMESPACE, SCRAPED);
    assertThat(result.injected()).isTrue();
    assertThat(result.pod().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/port", "9102")
        .doesNotContainKeys("prometheus.io/scrape", "prometheus.io/path");
    assertThat(result.note())
        .startsWith("kept the pod's own prometheus.io/port and added no prometheus.io/*")
        .contains("port 10090");
  }
}
