package dev.sluice.charts;

import static dev.sluice.charts.HelmChart.CHART;
import static dev.sluice.charts.HelmChart.KUBE;
import static dev.sluice.charts.HelmChart.load;
import static dev.sluice.charts.HelmChart.only;
import static dev.sluice.charts.HelmChart.operatorArgs;
import static dev.sluice.charts.HelmChart.render;
import static dev.sluice.charts.HelmChart.template;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import dev.sluice.operator.OperatorMain;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The chart's values reach the manifests: the defaults render a hardened operator and a narrow
 * webhook with no Secret or key material, non-default values reach the operator's arguments and
 * pod, and bad values are refused by the schema naming the field.
 */
class ChartValuesIT {
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
}
