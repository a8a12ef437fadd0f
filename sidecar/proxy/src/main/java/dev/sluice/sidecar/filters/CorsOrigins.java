package dev.sluice.sidecar.filters;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A CORS filter's {@code allowOrigins}, compiled: exact origins, and origins whose host's leftmost
 * label is {@code *} (one or more labels of the request's origin). Scheme and host compare
 * case-insensitively; a scheme's default port (80, 443) written or not is the same origin.
 */
final class CorsOrigins {
  private final boolean any;
  private final String[] exact;
  // For "scheme://*.suffix[:port]": what the origin starts with, and what it ends with.
  private final String[] wildcardPrefixes;
  private final String[] wildcardSuffixes;

  CorsOrigins(List<String> origins) {
    this.any = origins.contains("*");
    this.exact =
        origins.stream()
            .filter(o -> !o.equals("*") && !o.contains("://*."))
            .map(CorsOrigins::normalized)
            .toArray(String[]::new);
    List<String> wildcards =
        origins.stream().filter(o -> o.contains("://*.")).map(CorsOrigins::normalized).toList();
    this.wildcardPrefixes =
        wildcards.stream().map(o -> o.substring(0, o.indexOf("://") + 3)).toArray(String[]::new);
    this.wildcardSuffixes =
        wildcards.stream().map(o -> o.substring(o.indexOf("://*.") + 4)).toArray(String[]::new);
  }

  /** {@code *}: any origin is allowed. */
  boolean any() {
    return any;
  }

  /** Whether a request's {@code Origin} (null: none) is allowed. */
  boolean allows(@Nullable String origin) {
    if (origin == null || origin.isEmpty()) {
      return false;
    }
    if (any) {
      return true;
    }
    String normalized = normalized(origin.strip());
    for (String candidate : exact) {
      if (candidate.equals(normalized)) {
        return true;
      }
    }
    for (int i = 0; i < wildcardPrefixes.length; i++) {
      String prefix = wildcardPrefixes[i];
      String suffix = wildcardSuffixes[i];
      if (normalized.startsWith(prefix)
          && normalized.endsWith(suffix)
          && normalized.length() > prefix.length() + suffix.length()
          && labels(normalized.substring(prefix.length(), normalized.length() - suffix.length()))) {
        return true;
      }
    }
    return false;
  }

  /** What {@code *} stands for: one or more DNS labels, no port, path or user part. */
  private static boolean labels(String text) {
    return text.chars().allMatch(c -> c == '.' || c == '-' || Character.isLetterOrDigit(c))
        && !text.startsWith(".")
        && !text.endsWith(".");
  }

  /**
   * Lower case, the scheme's default port left out ({@code https://a.com:443}: {@code
   * https://a.com}).
   */
  static String normalized(String origin) {
    String lower = origin.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http://") && lower.endsWith(":80")) {
      return lower.substring(0, lower.length() - 3);
    }
    if (lower.startsWith("https://") && lower.endsWith(":443")) {
      return lower.substring(0, lower.length() - 4);
    }
    return lower;
  }
}
