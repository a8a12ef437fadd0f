package dev.sluice.operator.gateway;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The hostnames an attached HTTPRoute's rules match on, from the route's and the ProxyRoute's
 * ({@code spec.hostnames}, the listener's hostnames in Gateway API's terms): where both name some,
 * only the route's that intersect with the listener's count, each as the more specific of the two.
 */
final class Hostnames {
  private Hostnames() {}

  /**
   * The effective hostnames: empty lists mean any host; a non-empty {@code listener} and {@code
   * route} that do not intersect give an empty result with {@link #intersects} false.
   */
  static List<String> effective(List<String> listener, List<String> route) {
    if (listener.isEmpty()) {
      return distinct(route);
    }
    if (route.isEmpty()) {
      return distinct(listener);
    }
    Set<String> out = new LinkedHashSet<>();
    for (String r : route) {
      for (String l : listener) {
        String both = intersection(r.toLowerCase(Locale.ROOT), l.toLowerCase(Locale.ROOT));
        if (both != null) {
          out.add(both);
        }
      }
    }
    return List.copyOf(out);
  }

  /** Whether a route naming {@code route} can attach to a listener naming {@code listener}. */
  static boolean intersects(List<String> listener, List<String> route) {
    return listener.isEmpty() || route.isEmpty() || !effective(listener, route).isEmpty();
  }

  /** The more specific of two hostnames when one covers the other; else null. */
  static @org.jspecify.annotations.Nullable String intersection(String a, String b) {
    if (a.equals(b)) {
      return a;
    }
    if (covers(a, b)) {
      return b;
    }
    if (covers(b, a)) {
      return a;
    }
    return null;
  }

  /** Whether {@code wildcard} ({@code *.suffix}) matches {@code host} (one or more labels). */
  static boolean covers(String wildcard, String host) {
    if (!wildcard.startsWith("*.")) {
      return false;
    }
    String suffix = wildcard.substring(1); // ".example.com"
    String bare = host.startsWith("*.") ? host.substring(2) : host;
    return bare.endsWith(suffix) && bare.length() > suffix.length();
  }

  private static List<String> distinct(List<String> names) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      String lower = n.toLowerCase(Locale.ROOT);
      if (!out.contains(lower)) {
        out.add(lower);
      }
    }
    return out;
  }
}
