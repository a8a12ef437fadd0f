package dev.sluice.sidecar.downstream;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One authority per HTTP/1.x request (RFC 9112 3.2 and 3.2.2), settled before routing: at most one
 * {@code Host} field, present on HTTP/1.1, well formed; an absolute-form target's authority is the
 * request's authority, a {@code Host} that names another is refused, and the target becomes
 * origin-form with that authority as its {@code Host}. So the rule matched on a host and the
 * upstream that is sent a host always see the same one.
 */
final class RequestAuthority {
  private static final int MAX_PORT_DIGITS = 5;

  /**
   * Reconciles {@code request}'s target and {@code Host} (rewriting an absolute-form target in
   * place); null when it is acceptable, else the sentence of the 400.
   */
  static @Nullable String reconcile(HttpRequest request) {
    List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1) {
      return hosts.size()
          + " Host fields "
          + quoted(hosts)
          + " (expected: exactly one, RFC 9112 section 3.2)";
    }
    String host = hosts.isEmpty() ? null : hosts.get(0);
    if (host == null && request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      return "no Host field (expected: one on every HTTP/1.1 request, RFC 9112 section 3.2)";
    }
    if (host != null && !host.isEmpty() && !validAuthority(host)) {
      return "Host \"" + host + "\" (expected: host[:port], RFC 9110 section 7.2)";
    }
    String uri = request.uri();
    HttpMethod method = request.method();
    if (HttpMethod.CONNECT.equals(method)) {
      return null; // authority-form; CONNECT is answered by the exchange's own rules
    }
    if (uri.startsWith("/")) {
      return null;
    }
    if (uri.equals("*")) {
      return HttpMethod.OPTIONS.equals(method)
          ? null
          : "request target \"*\" with method "
              + method
              + " (expected: * only with OPTIONS, RFC 9112 section 3.2.4)";
    }
    return absoluteForm(request, uri, host);
  }

  /** An absolute-form target: checked against {@code host}, then rewritten to origin-form. */
  private static @Nullable String absoluteForm(
      HttpRequest request, String uri, @Nullable String host) {
    int colon = uri.indexOf("://");
    String scheme = colon <= 0 ? "" : uri.substring(0, colon).toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return "request target \""
          + uri
          + "\" (expected: origin-form starting with /, or absolute-form http://host/path)";
    }
    int authorityStart = colon + 3;
    int authorityEnd = authorityStart;
    while (authorityEnd < uri.length() && "/?#".indexOf(uri.charAt(authorityEnd)) < 0) {
      authorityEnd++;
    }
    String authority = uri.substring(authorityStart, authorityEnd);
    if (authority.isEmpty() || authority.indexOf('@') >= 0 || !validAuthority(authority)) {
      return "authority \""
          + authority
          + "\" of request target \""
          + uri
          + "\" (expected: host[:port] without user information)";
    }
    if (host != null && !sameAuthority(authority, host, scheme)) {
      return "Host \""
          + host
          + "\" differs from the authority \""
          + authority
          + "\" of the request target (expected: the same, RFC 9112 section 3.2.2)";
    }
    String rest = uri.substring(authorityEnd);
    int fragment = rest.indexOf('#');
    if (fragment >= 0) {
      rest = rest.substring(0, fragment);
    }
    if (rest.isEmpty() || rest.charAt(0) == '?') {
      rest = HttpMethod.OPTIONS.equals(request.method()) && rest.isEmpty() ? "*" : "/" + rest;
    }
    request.setUri(rest);
    request.headers().set(HttpHeaderNames.HOST, authority);
    return null;
  }

  /**
   * True when {@code a} and {@code b} name the same host and port, a missing port being the
   * scheme's default (RFC 9110 4.2.3); host names compare case-insensitively.
   */
  static boolean sameAuthority(String a, String b, String scheme) {
    String defaultPort = scheme.equals("https") ? "443" : "80";
    return host(a).equalsIgnoreCase(host(b)) && port(a, defaultPort).equals(port(b, defaultPort));
  }

  private static String host(String authority) {
    int colon = portColon(authority);
    return colon < 0 ? authority : authority.substring(0, colon);
  }

  private static String port(String authority, String defaultPort) {
    int colon = portColon(authority);
    String port = colon < 0 ? "" : authority.substring(colon + 1);
    if (port.isEmpty()) {
      return defaultPort;
    }
    int start = 0;
    while (start < port.length() - 1 && port.charAt(start) == '0') {
      start++;
    }
    return port.substring(start);
  }

  /** The index of the colon before the port, or -1. */
  private static int portColon(String authority) {
    int close = authority.lastIndexOf(']');
    int colon = authority.lastIndexOf(':');
    return colon > close && (close >= 0 || authority.indexOf(':') == colon) ? colon : -1;
  }

  /**
   * {@code uri-host [ ":" port ]}: a bracketed IP literal, or a reg-name / IPv4 address of
   * unreserved, percent-encoded and sub-delimiter characters; a port of digits.
   */
  static boolean validAuthority(String authority) {
    int hostEnd;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 2) {
        return false;
      }
      for (int i = 1; i < close; i++) {
        char c = authority.charAt(i);
        if (!(isHex(c) || c == ':' || c == '.')) {
          return false;
        }
      }
      hostEnd = close + 1;
      if (hostEnd < authority.length() && authority.charAt(hostEnd) != ':') {
        return false;
      }
    } else {
      int colon = authority.indexOf(':');
      hostEnd = colon < 0 ? authority.length() : colon;
      if (hostEnd == 0) {
        return false;
      }
      for (int i = 0; i < hostEnd; i++) {
        if (!regNameChar(authority.charAt(i))) {
          return false;
        }
      }
    }
    if (hostEnd == authority.length()) {
      return true;
    }
    String port = authority.substring(hostEnd + 1);
    if (port.length() > MAX_PORT_DIGITS) {
      return false;
    }
    for (int i = 0; i < port.length(); i++) {
      char c = port.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean regNameChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "-._~%!$&'()*+,;=".indexOf(c) >= 0;
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static String quoted(List<String> values) {
    StringBuilder out = new StringBuilder();
    for (String value : values) {
      out.append(out.length() == 0 ? "" : ", ").append('"').append(value).append('"');
    }
    return out.toString();
  }

  private RequestAuthority() {}
}
