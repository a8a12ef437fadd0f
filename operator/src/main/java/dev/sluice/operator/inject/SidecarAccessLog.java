package dev.sluice.operator.inject;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The access-log format injected sidecars write to standard output (their {@code --access-log}):
 * where lines go and how they look is the process's; which exchanges and what of them is each
 * ProxyRoute's {@code spec.accessLog}.
 */
public enum SidecarAccessLog {
  JSON,
  TEXT,
  OFF;

  /** The value of the sidecar's {@code --access-log} (and the operator's flag). */
  public String flag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** {@code --sidecar-access-log}: json, text or off; null for anything else. */
  public static @Nullable SidecarAccessLog fromFlag(String flag) {
    for (SidecarAccessLog format : values()) {
      if (format.flag().equals(flag)) {
        return format;
      }
    }
    return null;
  }
}
