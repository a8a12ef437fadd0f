package dev.sluice.sidecar.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code cors} part of {@link SidecarConfigValidator}: Gateway API's {@code HTTPCORSFilter}
 * limits (GEP-1767).
 */
final class CorsValidator {
  /**
   * {@code scheme://host[:port]}, the host a DNS name whose leftmost label may be {@code *}; port
   * range checked apart.
   */
  static final Pattern ORIGIN =
      Pattern.compile(
          "[A-Za-z][A-Za-z0-9+.-]*://(\\*\\.)?[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?"
              + "(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*(:[0-9]{1,5})?");

  static final String ORIGIN_EXPECTED =
      "an origin scheme://host[:port] (the host's leftmost label may be *, the port 1..65535),"
          + " or * alone";

  /** Gateway API's {@code HTTPMethod}s. */
  static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

  private CorsValidator() {}

  static void validate(String path, Cors cors, Problems problems) {
    String at = path + ".cors";
    origins(at + ".allowOrigins", cors.allowOrigins(), problems);
    methods(at + ".allowMethods", cors.allowMethods(), problems);
    headerNames(at + ".allowHeaders", cors.allowHeaders(), problems);
    headerNames(at + ".exposeHeaders", cors.exposeHeaders(), problems);
    problems.range(at + ".maxAge", cors.maxAge(), 1, Integer.MAX_VALUE);
  }

  private static void origins(String path, List<String> origins, Problems problems) {
    if (!listShape(path, origins, Cors.MAX_PER_LIST, problems)) {
      return;
    }
    for (int i = 0; i < origins.size(); i++) {
      String at = path + "[" + i + "]";
      String origin = origins.get(i);
      if (!problems.required(at, origin, ORIGIN_EXPECTED) || Cors.ANY.equals(origin)) {
        continue;
      }
      if (!ORIGIN.matcher(origin).matches() || port(origin) > 65_535 || port(origin) == 0) {
        problems.add(at, origin, ORIGIN_EXPECTED);
      }
    }
  }

  /** The origin's explicit port; -1 when it has none. */
  private static int port(String origin) {
    int colon = origin.lastIndexOf(':');
    return colon > origin.indexOf("://") ? Integer.parseInt(origin.substring(colon + 1)) : -1;
  }

  private static void methods(String path, List<String> methods, Problems problems) {
    if (!listShape(path, methods, METHODS.size(), problems)) {
      return;
    }
    for (int i = 0; i < methods.size(); i++) {
      String method = methods.get(i);
      if (!Cors.ANY.equals(method) && (method == null || !METHODS.contains(method))) {
        problems.add(
            path + "[" + i + "]", method, "one of " + String.join(", ", METHODS) + ", or * alone");
      }
    }
  }

  private static void headerNames(String path, List<String> names, Problems problems) {
    if (!listShape(path, names, Cors.MAX_PER_LIST, problems)) {
      return;
    }
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (!Cors.ANY.equals(name)) {
        SidecarConfigValidator.headerName(path + "[" + i + "]", name, problems);
      }
    }
  }

  /** At most {@code max} entries, and {@code *} only alone; false when not. */
  private static boolean listShape(String path, List<String> list, int max, Problems problems) {
    if (list.size() > max) {
      problems.addFinding(path, list.size() + " entries", "at most " + max + " entries");
      return false;
    }
    if (list.size() > 1 && list.contains(Cors.ANY)) {
      problems.addFinding(
          path, String.join(", ", list), "* alone (it stands for every value), or no *");
      return false;
    }
    return true;
  }
}
