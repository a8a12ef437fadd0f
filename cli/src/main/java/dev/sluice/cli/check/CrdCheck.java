package dev.sluice.cli.check;

import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

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
    String fix = "kubectl apply --server-side -f charts/sluice/crds/";
    CustomResourceDefinition crd =
        client.apiextensions().v1().customResourceDefinitions().withName(name).get();
    if (crd == null) {
      return CheckResult.fail(check, "not installed", fix);
    }
    List<CustomResourceDefinitionVersion> versions = crd.getSpec().getVersions();
    String served =
        versions.stream()
            .filter(v -> Boolean.TRUE.equals(v.getServed()))
            .map(CustomResourceDefinitionVersion::getName)
            .collect(Collectors.joining(","));
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
    return CheckResult.pass(check, found);
  }

  private static String none(String s) {
    return s.isEmpty() ? "none" : s;
  }
}
