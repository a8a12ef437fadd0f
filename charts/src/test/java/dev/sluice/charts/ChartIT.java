package dev.sluice.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
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

/**
 * charts/sluice with Helm itself (helm-java bundles it; offline): lint --strict, render with the
 * default and with non-default values, and check what it renders: CRDs identical to crds/, RBAC
 * equal to operator/deploy/rbac.yaml (which RbacIT proves covers every request the operator makes),
 * webhook selectors narrow and caBundle left to the operator, the Deployment hardened, no Secret or
 * key material in templates, and bad values refused by the schema naming the field.
 */
class ChartIT {
  static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath();
  static final Path CHART = ROOT.resolve("charts/sluice");
  static final String KUBE = "1.30.0";

  static List<HasMetadata> render(Map<String, Object> values) {
    var template =
        new Helm(CHART)
            .template()
            .withName("sluice")
            .withNamespace("sluice-system")
            .withKubeVersion(KUBE);
    values.forEach(template::set);
    return load(template.call());
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
        assertThat(CHART.resolve("crds").resolve(crd.getFileName()))
            .as("charts/sluice/crds/%s is a copy of crds/%s", crd.getFileName(), crd.getFileName())
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
            "--sidecar-image=ghcr.io/sluice/sidecar:0.1.0")
        .doesNotContain("--no-leader-election", "--cert-manager");
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
                "metrics.serviceMonitor.enabled", true,
                "grafana.dashboard.enabled", true));
    var args =
        only(rendered, Deployment.class)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getArgs();
    assertThat(args)
        .contains(
            "--no-leader-election",
            "--cert-manager",
            "--namespace=shop",
            "--native-sidecars=false",
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
    assertThat(dashboard).contains("sluice_request_duration_seconds_count");
  }

  @Test
  void badValuesAreRefusedNamingTheField() {
    assertThatThrownBy(() -> render(Map.of("webhook.failurePolicy", "Sometimes")))
        .hasMessageContaining("at '/webhook/failurePolicy': value must be one of 'Fail', 'Ignore'");
    assertThatThrownBy(() -> render(Map.of("operator.replica", 3)))
        .hasMessageContaining("at '/operator'")
        .hasMessageContaining("replica");
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

  @Test
  void thePodMonitorScrapesEveryInjectedSidecarsAdminPort() {
    assertThat(render(Map.of())).noneMatch(o -> o.getKind().equals("PodMonitor"));
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
}
