package dev.sluice.cli.check;

import dev.sluice.operator.NativeSidecars;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import java.time.Instant;
import java.util.List;

/**
 * Whether the API server supports native sidecars (1.29+), decided as the operator's {@code
 * --native-sidecars auto} decides it. Without them the sidecar is a regular container: a warning,
 * not a failure.
 */
final class NativeSidecarCheck implements Check {
  @Override
  public List<CheckResult> run(KubernetesClient client, Installation install, Instant now) {
    String check = "native sidecars";
    VersionInfo version = client.getKubernetesVersion();
    String found = "Kubernetes " + version.getMajor() + "." + version.getMinor();
    if (NativeSidecars.supported(version.getMajor(), version.getMinor())) {
      return List.of(
          CheckResult.pass(check, found + ": supported (the sidecar starts before the app)"));
    }
    return List.of(
        CheckResult.warn(
            check,
            found
                + ": not supported (expected: 1.29 or later); the sidecar is injected as a regular"
                + " container and may start after the app",
            "upgrade the cluster to Kubernetes 1.29 or later"));
  }
}
