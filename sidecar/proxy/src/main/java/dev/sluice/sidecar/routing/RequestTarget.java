package dev.sluice.sidecar.routing;

import dev.sluice.sidecar.http2.HeadFields;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What routing looks at in a request: method, host without port (lower case) and path without
 * query. Parsed once per request from origin-form ({@code /a?b}) or absolute-form ({@code
 * http://h/a?b}) targets.
 */
public record RequestTarget(String method, String host, String path, @Nullable String query) {

  public static RequestTarget of(HttpRequest request) {
    String uri = request.uri();
    String host = HeadFields.get(request, HttpHeaderNames.HOST);
    String pathAndQuery = uri;
    int scheme = uri.indexOf("://");
    if (scheme > 0 && !uri.startsWith("/")) {
      int pathStart = uri.indexOf('/', scheme + 3);
      String authority = uri.substring(scheme + 3, pathStart < 0 ? uri.length() : pathStart);
      host = authority;
      pathAndQuery = pathStart < 0 ? "/" : uri.substring(pathStart);
    }
    int question = pathAndQuery.indexOf('?');
    String path = question < 0 ? pathAndQuery : pathAndQuery.substring(0, question);
    String query = question < 0 ? null : pathAndQuery.substring(question + 1);
    return new RequestTarget(request.method().name(), hostWithoutPort(host), path, query);
  }

  /** A CONNECT request (authority-form target). */
  public boolean connect() {
    return "CONNECT".equals(method);
  }

  /** An asterisk-form target ({@code OPTIONS *}). */
  public boolean asterisk() {
    return "*".equals(path);
  }

  static String hostWithoutPort(@Nullable String authority) {
    if (authority == null || authority.isEmpty()) {
      return "";
    }
    int at = authority.lastIndexOf('@');
    String host = at < 0 ? authority : authority.substring(at + 1);
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      return (close < 0 ? host : host.substring(0, close + 1)).toLowerCase(Locale.ROOT);
    }
    int colon = host.indexOf(':');
    return (colon < 0 ? host : host.substring(0, colon)).toLowerCase(Locale.ROOT);
  }
}
