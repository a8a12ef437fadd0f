package dev.sluice.cli.check;

import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceConversion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ServiceReference;
import io.fabric8.kubernetes.api.model.apiextensions.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** Sluice's CRDs are installed and serve the version this plugin (and its operator) reads. */
final class CrdCheck implements Check {
  static final List<Class<? extends HasMetadata>> KINDS =
      List.of(ProxyRoute.class, OffloadAgent.class);

  @Override
  public List<CheckResult> run(KubernetesClient client, Installation install, Instant now) {
    return KINDS.stream().map(kind -> crd(client, kind)).toList();
  }

  private static CheckResult crd(KubernetesClient client, Class<? extends HasMetadata> kind) {
    String name = HasMetadata.getFullResourceName(kind);
    String wanted = HasMetadata.getVersion(kind);
    String check = "CRD " + name;
    String fix = "kubectl apply --server-side -f crds/";
    CustomResourceDefinition crd =
        client.apiextensions().v1().customResourceDefinitions().withName(name).get();
    if (crd == null) {
      return CheckResult.fail(check, "not installed", fix);
    }
    List<CustomResourceDefinitionVersion> versions = crd.getSpec().getVersions();
    List<String> servedVersions =
        versions.stream()
            .filter(v -> Boolean.TRUE.equals(v.getServed()))
            .map(CustomResourceDefinitionVersion::getName)
            .sorted()
            .toList();
    String served = String.join(",", servedVersions);
    String stored =
        versions.stream()
            .filter(v -> Boolean.TRUE.equals(v.getStorage()))
            .map(CustomResourceDefinitionVersion::getName)
            .collect(Collectors.joining(","));
    String found = "served: " + none(served) + "; stored: " + none(stored);
    boolean serves =
        versions.stream()
            .anyMatch(v -> wanted.equals(v.getName()) && Boolean.TRUE.equals(v.getServed()));
    if (!serves) {
      return CheckResult.fail(
          check, found + " (expected: " + wanted + " served, which the operator reads)", fix);
    }
    if (servedVersions.size() < 2) {
      return CheckResult.pass(check, found);
    }
    return conversion(check, found, crd.getSpec().getConversion(), fix);
  }

  /**
   * Served versions with different schemas need the operator's conversion webhook: without it the
   * API server converts by renaming the apiVersion and prunes whatever the other schema lacks.
   */
  private static CheckResult conversion(
      String check, String found, @Nullable CustomResourceConversion conversion, String fix) {
    WebhookClientConfig client =
        conversion == null
                || !"Webhook".equals(conversion.getStrategy())
                || conversion.getWebhook() == null
            ? null
            : conversion.getWebhook().getClientConfig();
    if (client == null || client.getService() == null) {
      return CheckResult.fail(
          check,
          found
              + "; conversion: "
              + (conversion == null || conversion.getStrategy() == null
                  ? "None"
                  : conversion.getStrategy())
              + " (expected: Webhook, to the operator's /convert: the served versions differ)",
          fix);
    }
    ServiceReference service = client.getService();
    String target =
        service.getNamespace()
            + "/"
            + service.getName()
            + ":"
            + (service.getPort() == null ? 443 : service.getPort())
            + (service.getPath() == null ? "" : service.getPath());
    if (client.getCaBundle() == null || client.getCaBundle().isEmpty()) {
      return CheckResult.fail(
          check,
          found
              + "; converted by "
              + target
              + " without a caBundle (expected: the operator's CA, which it writes at start, or"
              + " cert-manager's CA injector)",
          "kubectl logs -n " + service.getNamespace() + " deploy/" + service.getName());
    }
    return CheckResult.pass(check, found + "; converted by " + target);
  }

  private static String none(String s) {
    return s.isEmpty() ? "none" : s;
  }
}
