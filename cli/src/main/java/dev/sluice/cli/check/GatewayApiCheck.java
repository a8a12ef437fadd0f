package dev.sluice.cli.check;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Gateway API's HTTPRoute CRD, which HTTPRoutes attaching to ProxyRoutes need: optional (a warning
 * when absent), its {@code v1} served, its release (the CRD's {@code bundle-version} annotation)
 * one Sluice was tested with or newer, of the standard or experimental channel.
 */
final class GatewayApiCheck implements Check {
  static final String CRD = "httproutes.gateway.networking.k8s.io";
  static final String TESTED = "v1.4.1";
  static final String INSTALL =
      "kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/"
          + "download/"
          + TESTED
          + "/standard-install.yaml, then restart the operator";

  @Override
  public List<CheckResult> run(KubernetesClient client, Installation install, Instant now) {
    String check = "Gateway API";
    CustomResourceDefinition crd =
        client.apiextensions().v1().customResourceDefinitions().withName(CRD).get();
    if (crd == null) {
      return List.of(
          CheckResult.warn(
              check,
              CRD + " not installed: HTTPRoutes cannot attach to ProxyRoutes (optional)",
              INSTALL));
    }
    Map<String, String> annotations =
        crd.getMetadata().getAnnotations() == null ? Map.of() : crd.getMetadata().getAnnotations();
    String bundle = annotations.getOrDefault("gateway.networking.k8s.io/bundle-version", "");
    String channel = annotations.getOrDefault("gateway.networking.k8s.io/channel", "");
    boolean v1 =
        crd.getSpec().getVersions().stream()
            .anyMatch(v -> "v1".equals(v.getName()) && Boolean.TRUE.equals(v.getServed()));
    String found =
        "HTTPRoute served: "
            + String.join(
                ",",
                crd.getSpec().getVersions().stream()
                    .filter(v -> Boolean.TRUE.equals(v.getServed()))
                    .map(CustomResourceDefinitionVersion::getName)
                    .sorted()
                    .toList())
            + "; release "
            + (bundle.isEmpty() ? "unknown" : bundle)
            + (channel.isEmpty() ? "" : " (" + channel + ")");
    if (!v1) {
      return List.of(
          CheckResult.warn(
              check, found + " (expected: v1 served, which the operator reads)", INSTALL));
    }
    Integer older = compare(bundle, TESTED);
    if (older != null && older < 0) {
      return List.of(
          CheckResult.warn(
              check,
              found + " (expected: " + TESTED + " or newer, as Sluice was tested with)",
              INSTALL));
    }
    return List.of(CheckResult.pass(check, found));
  }

  /** {@code a} against {@code b} as {@code vX.Y.Z}; null when one is not such a version. */
  static @Nullable Integer compare(String a, String b) {
    int[] x = version(a);
    int[] y = version(b);
    if (x == null || y == null) {
      return null;
    }
    for (int i = 0; i < 3; i++) {
      if (x[i] != y[i]) {
        return Integer.compare(x[i], y[i]);
      }
    }
    return 0;
  }

  private static int @Nullable [] version(String text) {
    int pre = text.indexOf('-');
    String release = pre < 0 ? text : text.substring(0, pre); // v1.5.0-rc.1: 1.5.0
    String[] parts = release.startsWith("v") ? release.substring(1).split("\\.") : new String[0];
    if (parts.length != 3) {
      return null;
    }
    int[] out = new int[3];
    try {
      for (int i = 0; i < 3; i++) {
        out[i] = Integer.parseInt(parts[i]);
      }
    } catch (NumberFormatException e) {
      return null;
    }
    return out;
  }
}
