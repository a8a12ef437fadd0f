package dev.sluice.sidecar.config;

import java.util.regex.Pattern;

/** What a cluster name may be: printable, no spaces, short enough to be a metric label. */
final class ClusterNames {
  static final String EXPECTED = "a cluster name: 1 to 253 characters of [A-Za-z0-9._:/-]";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:/-]{1,253}");

  static boolean valid(String name) {
    return NAME.matcher(name).matches();
  }

  private ClusterNames() {}
}
