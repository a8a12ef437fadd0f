package dev.sluice.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.jspecify.annotations.Nullable;

/**
 * Whether the webhook injects native sidecars (init containers with {@code restartPolicy: Always},
 * SidecarContainers, on by default from Kubernetes 1.29) or regular containers; {@link #AUTO}
 * decides by the API server's version.
 */
public enum NativeSidecars {
  AUTO,
  ON,
  OFF;

  /** {@code --native-sidecars}: auto, true or false; null for anything else. */
  static @Nullable NativeSidecars fromFlag(String flag) {
    return switch (flag) {
      case "auto" -> AUTO;
      case "true" -> ON;
      case "false" -> OFF;
      default -> null;
    };
  }

  /** Native or not, asking the API server's /version when {@link #AUTO}. */
  boolean resolve(KubernetesClient client) {
    if (this != AUTO) {
      return this == ON;
    }
    var version = client.getKubernetesVersion();
    return supported(version.getMajor(), version.getMinor());
  }

  /** {@code major}/{@code minor} as /version reports them (minor may carry a "+" suffix). */
  public static boolean supported(String major, String minor) {
    try {
      int ma = Integer.parseInt(major.replaceAll("[^0-9]", ""));
      int mi = Integer.parseInt(minor.replaceAll("[^0-9]", ""));
      return ma > 1 || (ma == 1 && mi >= 29);
    } catch (RuntimeException e) {
      return false;
    }
  }
}
