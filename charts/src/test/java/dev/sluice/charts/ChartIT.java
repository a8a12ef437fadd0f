package dev.sluice.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.sluice.operator.OperatorMain;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
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
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * charts/sluice with Helm itself (helm-java bundles it; offline): lint --strict, render with the
 * default and with non-default values, and check what it renders: CRDs identical to crds/ (with the
 * release's labels and the keep policy, or left out), the helm test hook's check, RBAC equal to
 * operator/deploy/rbac.yaml (which RbacIT proves covers every request the operator makes), webhook
 * selectors narrow and caBundle left to the operator, the Deployment hardened, no Secret or key
 * material in templates, and bad values refused by the schema naming the field.
 */
class ChartIT {
  static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath();
  static final Path CHART = ROOT.resolve("charts/sluice");
  static final String KUBE = "1.30.0";

  static List<HasMetadata> render(Map<String, Object> values) {
    return load(template(values));
  }

  /** {@code helm template sluice -n sluice-system} with {@code values}: the YAML it prints. */
  static String template(Map<String, Object> values) {
    var template =
        new Helm(CHART)
            .template()
            .withName("sluice")
            .withNamespace("sluice-system")
            .withKubeVersion(KUBE);
    values.forEach(template::set);
    return template.call();
  }

  /** The operator container's arguments in {@code rendered}. */
  static List<String> operatorArgs(List<HasMetadata> rendered) {
    return only(rendered, Deployment.class)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getArgs();
  }

  static List<HasMetadata> load(String yaml) {
    List<HasMetadata> out = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
        Object parsed = Serialization.unmarshal(doc);
        if (parsed instanceof HasMetadata m) {
          out.add(m);
        }
      }
    }
    return out;
  }

  static <T> T only(List<HasMetadata> objects, Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).as(type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  static List<HasMetadata> deployManifests() throws IOException {
    try (InputStream in = Files.newInputStream(ROOT.resolve("operator/deploy/rbac.yaml"))) {
      return load(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** Rules with the release-specific resource names normalised to the defaults'. */
  static List<String> rules(List<PolicyRule> rules) {
    return rules.stream()
        .map(
            r ->
                r.getApiGroups()
                    + " "
                    + r.getResources()
                    + " "
                    + r.getVerbs()
                    + " "
                    + (r.getResourceNames() == null ? List.of() : r.getResourceNames()))
        .toList();
  }

  @Test
  void lintsStrictly() {
    LintResult lint = new Helm(CHART).lint().strict().call();
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
  }

  @Test
  void crdsAreTheGeneratedOnes() throws IOException {
    try (Stream<Path> files = Files.list(ROOT.resolve("crds"))) {
      List<Path> crds = files.filter(p -> p.toString().endsWith(".yml")).toList();
      assertThat(crds).hasSize(2);
      for (Path crd : crds) {
        assertThat(CHART.resolve("files/crds").resolve(crd.getFileName()))
            .as(
                "charts/sluice/files/crds/%s is a copy of crds/%s",
                crd.getFileName(), crd.getFileName())
            .hasSameTextualContentAs(crd);
      }
    }
  }

  @Test
  void rbacIsExactlyWhatTheOperatorUses() throws IOException {
    List<HasMetadata> rendered = render(Map.of());
    List<HasMetadata> deploy = deployManifests();
    assertThat(rules(only(rendered, ClusterRole.class).getRules()))
        .containsExactlyElementsOf(rules(only(deploy, ClusterRole.class).getRules()));
    assertThat(rules(only(rendered, Role.class).getRules()))
        .containsExactlyElementsOf(rules(only(deploy, Role.class).getRules()));
  }

  @Test
  void theDefaultsRenderAHardenedOperatorAndANarrowWebhook() {
    List<HasMetadata> rendered = render(Map.of());
    Deployment deployment = only(rendered, Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    var pod = deployment.getSpec().getTemplate().getSpec();
    var container = pod.getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("ghcr.io/sluice/operator:0.1.0");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getResources().getLimits()).containsKey("memory");
    assertThat(container.getArgs())
        .contains(
            "--webhook-configuration=sluice-sidecar-injector",
            "--tls-secret=sluice-operator-tls",
            "--sidecar-image=ghcr.io/sluice/sidecar:0.1.0",
            "--sidecar-access-log=json",
            "--sidecar-otlp-service-name=sluice-sidecar")
        .doesNotContain("--no-leader-election", "--cert-manager")
        .noneMatch(a -> a.startsWith("--sidecar-otlp-endpoint"));
    assertThat(pod.getAffinity().getPodAntiAffinity()).isNotNull();
    assertThat(rendered).anyMatch(o -> o.getKind().equals("PodDisruptionBudget"));

    MutatingWebhookConfiguration webhook = only(rendered, MutatingWebhookConfiguration.class);
    assertThat(webhook.getMetadata().getName()).isEqualTo("sluice-sidecar-injector");
    assertThat(webhook.getWebhooks()).hasSize(2);
    for (MutatingWebhook w : webhook.getWebhooks()) {
      assertThat(w.getFailurePolicy()).isEqualTo("Fail");
      assertThat(w.getSideEffects()).isEqualTo("NoneOnDryRun");
      assertThat(w.getClientConfig().getCaBundle()).as("filled at run time").isNull();
      assertThat(w.getClientConfig().getService().getName()).isEqualTo("sluice-operator");
      assertThat(w.getRules().get(0).getOperations()).containsExactly("CREATE");
      assertThat(w.getRules().get(0).getResources()).containsExactly("pods");
      LabelSelectorRequirement excluded =
          w.getNamespaceSelector().getMatchExpressions().stream()
              .filter(e -> e.getKey().equals("kubernetes.io/metadata.name"))
              .findFirst()
              .orElseThrow();
      assertThat(excluded.getOperator()).isEqualTo("NotIn");
      assertThat(excluded.getValues()).contains("kube-system", "sluice-system");
    }
    assertThat(webhook.getWebhooks().get(0).getNamespaceSelector().getMatchExpressions().get(0))
        .satisfies(e -> assertThat(e.getValues()).containsExactly("enabled"));
    assertThat(webhook.getWebhooks().get(1).getObjectSelector().getMatchLabels())
        .containsEntry("sluice.dev/inject", "true");

    assertThat(rendered).noneMatch(o -> o.getKind().equals("Secret"));
    String text = new Helm(CHART).template().withName("sluice").withKubeVersion(KUBE).call();
    assertThat(text).doesNotContain("BEGIN CERTIFICATE", "PRIVATE KEY", "caBundle:");
  }

  @Test
  void nonDefaultValuesReachTheManifests() {
    List<HasMetadata> rendered =
        render(
            Map.of(
                "operator.replicas", 1,
                "operator.watchNamespaces[0]", "shop",
                "tls.mode", "certManager",
                "tls.certManager.issuerRef.name", "internal-ca",
                "webhook.failurePolicy", "Ignore",
                "sidecar.image.tag", "0.2.0-rc1",
                "sidecar.nativeSidecars", "false",
                "sidecar.accessLog.format", "text",
                "metrics.serviceMonitor.enabled", true,
                "grafana.dashboard.enabled", true));
    var args = operatorArgs(rendered);
    assertThat(args)
        .contains(
            "--no-leader-election",
            "--cert-manager",
            "--namespace=shop",
            "--native-sidecars=false",
            "--sidecar-access-log=text",
            "--sidecar-image=ghcr.io/sluice/sidecar:0.2.0-rc1");
    MutatingWebhookConfiguration webhook = only(rendered, MutatingWebhookConfiguration.class);
    assertThat(webhook.getWebhooks()).allMatch(w -> w.getFailurePolicy().equals("Ignore"));
    assertThat(webhook.getMetadata().getAnnotations())
        .containsEntry("cert-manager.io/inject-ca-from", "sluice-system/sluice-operator");
    assertThat(rendered)
        .extracting(HasMetadata::getKind)
        .contains("Certificate", "ServiceMonitor", "ConfigMap")
        .doesNotContain("Secret", "PodDisruptionBudget");
    String dashboard =
        rendered.stream()
            .filter(o -> o.getKind().equals("ConfigMap"))
            .map(Serialization::asJson)
            .findFirst()
            .orElseThrow();
    // that every panel's series exists, with data, in what the code exports: e2e MetricsIT
    assertThat(dashboard).contains("sluice_request_duration_seconds_count");
  }

  @Test
  void badValuesAreRefusedNamingTheField() {
    assertThatThrownBy(() -> render(Map.of("webhook.failurePolicy", "Sometimes")))
        .hasMessageContaining("at '/webhook/failurePolicy': value must be one of 'Fail', 'Ignore'");
    assertThatThrownBy(() -> render(Map.of("operator.replica", 3)))
        .hasMessageContaining("at '/operator'")
        .hasMessageContaining("replica");
    assertThatThrownBy(() -> render(Map.of("sidecar.accessLog.format", "yaml")))
        .hasMessageContaining("at '/sidecar/accessLog/format': value must be one of");
    assertThatThrownBy(() -> render(Map.of("sidecar.tracing.otlpEndpoint", "ftp://x")))
        .hasMessageContaining("at '/sidecar/tracing/otlpEndpoint'")
        .hasMessageContaining("does not match pattern");
    assertThatThrownBy(() -> render(Map.of("sidecar.tracing.serviceName", " ")))
        .hasMessageContaining("at '/sidecar/tracing/serviceName'");
    assertThatThrownBy(() -> render(Map.of("sidecar.resources.memoryLimit", "lots")))
        .hasMessageContaining("at '/sidecar/resources/memoryLimit'");
    assertThatThrownBy(() -> render(Map.of("tls.mode", "certManager")))
        .hasMessageContaining("tls.certManager.issuerRef.name is empty");
    assertThatThrownBy(() -> render(Map.of("imagePullSecrets[0].secret", "registry")))
        .hasMessageContaining("at '/imagePullSecrets/0'")
        .hasMessageContaining("name");
    assertThatThrownBy(() -> render(Map.of("operator.extraEnv[0].value", "x")))
        .hasMessageContaining("at '/operator/extraEnv/0'")
        .hasMessageContaining("name");
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
        .noneMatch(ChartIT::isMonitor);
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
        .noneMatch(ChartIT::isMonitor);
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

  @Test
  void anUnquotedOffInAValuesFileStillTurnsTheSidecarsAccessLogOff(@TempDir Path dir)
      throws IOException {
    Path values =
        Files.writeString(dir.resolve("values.yaml"), "sidecar: {accessLog: {format: off}}\n");
    var template =
        new Helm(CHART)
            .template()
            .withName("sluice")
            .withNamespace("sluice-system")
            .withKubeVersion(KUBE)
            .withValuesFile(values);
    assertThat(operatorArgs(load(template.call())))
        .as("YAML 1.1 reads off as false")
        .contains("--sidecar-access-log=off");
  }

  @Test
  void anOtlpEndpointReachesTheOperatorWhichTakesItForTheSidecarsItInjects() {
    String collector = "https://otel-collector.observability:4318/v1/traces?tenant=shop#x";
    List<String> args =
        operatorArgs(
            render(
                Map.of(
                    "sidecar.tracing.otlpEndpoint",
                    collector,
                    "sidecar.tracing.serviceName",
                    "shop edge: east")));
    assertThat(args)
        .contains(
            "--sidecar-otlp-endpoint=" + collector, "--sidecar-otlp-service-name=shop edge: east");
    var parsed = new CommandLine(new OperatorMain()).parseArgs(args.toArray(String[]::new));
    assertThat(parsed.<String>matchedOptionValue("--sidecar-otlp-endpoint", null))
        .isEqualTo(collector);
    assertThat(parsed.<String>matchedOptionValue("--sidecar-otlp-service-name", null))
        .isEqualTo("shop edge: east");
  }

  @Test
  void oneReplicaIsReplacedNotRolledSoTwoUnelectedOperatorsNeverRunAtOnce() {
    Deployment one = only(render(Map.of("operator.replicas", 1)), Deployment.class);
    assertThat(one.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(one.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .contains("--no-leader-election");
    Deployment two = only(render(Map.of()), Deployment.class);
    assertThat(two.getSpec().getStrategy()).as("RollingUpdate, Kubernetes' default").isNull();
    assertThat(two.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .doesNotContain("--no-leader-election");
  }

  @Test
  void pullSecretsPodAnnotationsExtraEnvAndTheHeapShareReachTheOperatorsPod() throws IOException {
    var pod =
        only(
                render(
                    Map.of(
                        "imagePullSecrets[0].name", "registry",
                        "operator.podAnnotations.example\\.com/team", "edge",
                        "operator.extraEnv[0].name", "HTTPS_PROXY",
                        "operator.extraEnv[0].value", "http://proxy:3128",
                        "operator.maxRAMPercentage", 40)),
                Deployment.class)
            .getSpec()
            .getTemplate();
    assertThat(pod.getSpec().getImagePullSecrets())
        .extracting(r -> r.getName())
        .containsExactly("registry");
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("example.com/team", "edge");
    var env = pod.getSpec().getContainers().get(0).getEnv();
    assertThat(env)
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("HTTPS_PROXY");
              assertThat(e.getValue()).isEqualTo("http://proxy:3128");
            });
    assertThat(env)
        .filteredOn(e -> e.getName().equals("JAVA_TOOL_OPTIONS"))
        .singleElement()
        .satisfies(e -> assertThat(e.getValue()).contains("-XX:MaxRAMPercentage=40"));
    // JAVA_TOOL_OPTIONS applies only if the image's command line sets no memory flag of its own:
    // images/ ImageRecipeTest checks the operator image's entrypoint
  }

  /** The documents of {@code helm template} with {@code values}, as YAML trees. */
  static List<JsonNode> renderTrees(Map<String, Object> values) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String doc : template(values).split("(?m)^---\\s*$")) {
      JsonNode tree = YAML.readTree(doc);
      if (tree != null && tree.has("kind")) {
        out.add(tree);
      }
    }
    return out;
  }

  static final YAMLMapper YAML = new YAMLMapper();

  /** Where {@code actual} first differs from {@code expected}, as a path and both values. */
  static String firstDifference(JsonNode expected, JsonNode actual, String at) {
    if (expected.isObject() && actual.isObject()) {
      var names = new java.util.TreeSet<String>();
      expected.fieldNames().forEachRemaining(names::add);
      actual.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        String d = firstDifference(expected.path(name), actual.path(name), at + "." + name);
        if (!d.isEmpty()) {
          return d;
        }
      }
      return "";
    }
    if (expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
      for (int i = 0; i < expected.size(); i++) {
        String d = firstDifference(expected.get(i), actual.get(i), at + "[" + i + "]");
        if (!d.isEmpty()) {
          return d;
        }
      }
      return "";
    }
    if (expected.isNumber() && actual.isNumber()) {
      // 599.0 and 599 are one JSON number to the API server
      return expected.decimalValue().compareTo(actual.decimalValue()) == 0
          ? ""
          : at + ": " + expected + " (rendered: " + actual + ")";
    }
    return expected.equals(actual) ? "" : at + ": " + expected + " (rendered: " + actual + ")";
  }

  static List<JsonNode> crds(List<JsonNode> rendered) {
    return rendered.stream()
        .filter(d -> d.path("kind").asText().equals("CustomResourceDefinition"))
        .toList();
  }

  @Test
  void theCrdsAreTemplatesEqualToTheGeneratedOnesWithTheReleasesLabelsAndKeptOnUninstall()
      throws IOException {
    List<JsonNode> rendered = crds(renderTrees(Map.of()));
    assertThat(rendered)
        .extracting(c -> c.path("metadata").path("name").asText())
        .containsExactlyInAnyOrder("proxyroutes.sluice.dev", "offloadagents.sluice.dev");
    for (JsonNode crd : rendered) {
      String name = crd.path("metadata").path("name").asText();
      String plural = name.substring(0, name.indexOf('.'));
      JsonNode generated = YAML.readTree(ROOT.resolve("crds/" + name + "-v1.yml").toFile());
      assertThat(firstDifference(generated.path("spec"), crd.path("spec"), "spec"))
          .as("%s: the generated spec, value for value, after Helm's fromYaml/toYaml", plural)
          .isEmpty();
      assertThat(crd.path("apiVersion")).isEqualTo(generated.path("apiVersion"));
      assertThat(crd.path("metadata").path("annotations").path("helm.sh/resource-policy").asText())
          .isEqualTo("keep");
      assertThat(crd.path("metadata").path("labels").path("app.kubernetes.io/managed-by").asText())
          .isEqualTo("Helm");
      assertThat(crd.path("metadata").path("labels").path("helm.sh/chart").asText())
          .isEqualTo("sluice-0.1.0");
    }
    assertThat(Files.exists(CHART.resolve("crds")))
        .as("no crds/ folder: Helm would install it once and never upgrade it")
        .isFalse();
  }

  @Test
  void proxyRoutesConvertThroughThisReleasesOperatorWithItsCaInjected() throws IOException {
    JsonNode defaults = proxyRoutes(renderTrees(Map.of()));
    assertThat(defaults.at("/spec/conversion/strategy").asText()).isEqualTo("Webhook");
    assertThat(defaults.at("/spec/conversion/webhook/clientConfig/service").toString())
        .isEqualTo(
            "{\"name\":\"sluice-operator\",\"namespace\":\"sluice-system\",\"path\":\"/convert\","
                + "\"port\":9443}");
    assertThat(defaults.at("/spec/conversion/webhook/clientConfig/caBundle").isMissingNode())
        .as("filled at run time")
        .isTrue();
    assertThat(defaults.at("/metadata/annotations").has("cert-manager.io/inject-ca-from"))
        .isFalse();

    JsonNode moved =
        proxyRoutes(
            renderTrees(
                Map.of(
                    "ports.webhook",
                    10443,
                    "tls.mode",
                    "certManager",
                    "tls.certManager.issuerRef.name",
                    "ca-issuer")));
    assertThat(moved.at("/spec/conversion/webhook/clientConfig/service/port").asInt())
        .isEqualTo(10443);
    assertThat(moved.at("/metadata/annotations/cert-manager.io~1inject-ca-from").asText())
        .isEqualTo("sluice-system/sluice-operator");
    assertThat(moved.at("/metadata/annotations/helm.sh~1resource-policy").asText())
        .isEqualTo("keep");
  }

  private static JsonNode proxyRoutes(List<JsonNode> rendered) {
    return crds(rendered).stream()
        .filter(c -> c.at("/metadata/name").asText().equals("proxyroutes.sluice.dev"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void crdsCanBeLeftOutOrDeletedWithTheRelease() throws IOException {
    assertThat(crds(renderTrees(Map.of("crds.enabled", false)))).isEmpty();
    List<JsonNode> notKept = crds(renderTrees(Map.of("crds.keep", false)));
    assertThat(notKept).hasSize(2);
    assertThat(notKept)
        .allSatisfy(
            c ->
                assertThat(c.path("metadata").path("annotations").has("helm.sh/resource-policy"))
                    .isFalse());
    assertThatThrownBy(() -> render(Map.of("crds.enable", true)))
        .hasMessageContaining("at '/crds'")
        .hasMessageContaining("enable");
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
