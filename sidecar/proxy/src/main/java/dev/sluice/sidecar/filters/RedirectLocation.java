package dev.sluice.sidecar.filters;

import dev.sluice.sidecar.config.PathCondition;
import dev.sluice.sidecar.config.RequestRedirect;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Location} of a redirect, as Gateway API's {@code RequestRedirect} builds it: the
 * request's URL with the redirect's scheme, hostname, port and path in place of the request's, the
 * query kept.
 *
 * <p>The port: the redirect's; else, when it names a scheme, that scheme's well-known port; else
 * the port the client named in its {@code Host} (or {@code :authority}), which is the port it
 * reached — behind a Kubernetes Service that is the Service's, not the sidecar listener's, which
 * Gateway API's "the listener port" means for a Gateway that listens where clients connect. A
 * request whose authority names no port used its scheme's well-known one. A scheme's well-known
 * port is never written (80 for http, 443 for https).
 */
public final class RedirectLocation {
  private RedirectLocation() {}

  /**
   * The location for a request.
   *
   * @param requestScheme {@code http} or {@code https}: how the client reached the sidecar
   * @param authority the request's {@code Host} or {@code :authority}; null or empty when it had
   *     none (the host is then empty too)
   * @param path the request's path, without query
   * @param query the request's query, without {@code ?}; null when it had none
   * @param accepted the path condition of the match that accepted the request
   */
  public static String of(
      RequestRedirect redirect,
      String requestScheme,
      @Nullable String authority,
      String path,
      @Nullable String query,
      @Nullable PathCondition accepted) {
    RequestRedirect.Scheme scheme = redirect.scheme();
    String schemeText = scheme != null ? scheme.text() : requestScheme;
    String host = redirect.hostname() != null ? redirect.hostname() : host(authority);
    int port;
    if (redirect.port() != null) {
      port = redirect.port();
    } else if (scheme != null) {
      port = scheme.wellKnownPort();
    } else {
      int named = port(authority);
      port = named > 0 ? named : wellKnown(requestScheme);
    }
    StringBuilder location = new StringBuilder(schemeText).append("://").append(host);
    if (port != wellKnown(schemeText)) {
      location.append(':').append(port);
    }
    location.append(PathRewrite.apply(path, redirect.path(), accepted));
    if (query != null) {
      location.append('?').append(query);
    }
    return location.toString();
  }

  private static int wellKnown(String scheme) {
    return "https".equals(scheme) ? 443 : 80;
  }

  /** The host of {@code authority} as the client wrote it, without port and user information. */
  static String host(@Nullable String authority) {
    if (authority == null) {
      return "";
    }
    String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      return close < 0 ? hostPort : hostPort.substring(0, close + 1);
    }
    int colon = hostPort.indexOf(':');
    return colon < 0 ? hostPort : hostPort.substring(0, colon);
  }

  /** The port {@code authority} names; 0 when it names none (or no valid one). */
  static int port(@Nullable String authority) {
    if (authority == null) {
      return 0;
    }
    String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
    int close = hostPort.lastIndexOf(']');
    int colon = hostPort.indexOf(':', close < 0 ? 0 : close);
    if (colon < 0 || colon == hostPort.length() - 1) {
      return 0;
    }
    try {
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      return port >= 1 && port <= 65_535 ? port : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
