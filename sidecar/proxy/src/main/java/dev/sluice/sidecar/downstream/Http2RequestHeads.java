package dev.sluice.sidecar.downstream;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Headers.PseudoHeaderName;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The request head of an HTTP/2 stream as RFC 9113 8.3.1 wants it, checked before anything reads
 * it: what is malformed is refused on its own stream, never forwarded and never taken for another
 * request. The HPACK decoder has already refused bad names and values, pseudo-header fields after
 * regular ones, unknown pseudo-header fields and connection-specific fields (8.2).
 */
final class Http2RequestHeads {
  private static final AsciiString METHOD = PseudoHeaderName.METHOD.value();
  private static final AsciiString SCHEME = PseudoHeaderName.SCHEME.value();
  private static final AsciiString PATH = PseudoHeaderName.PATH.value();
  private static final AsciiString AUTHORITY = PseudoHeaderName.AUTHORITY.value();
  private static final AsciiString PROTOCOL = PseudoHeaderName.PROTOCOL.value();
  private static final List<AsciiString> PSEUDO =
      List.of(METHOD, SCHEME, PATH, AUTHORITY, PROTOCOL);

  /** Null when {@code headers} is a well-formed request head, else what is wrong with it. */
  static @Nullable String malformed(Http2Headers headers) {
    String pseudo = pseudoHeaderFields(headers);
    if (pseudo != null) {
      return pseudo;
    }
    CharSequence method = headers.method();
    if (method == null || method.length() == 0) {
      return "no :method (expected: one on every request, RFC 9113 section 8.3.1)";
    }
    if (!token(method)) {
      return ":method \"" + method + "\" (expected: a method token, RFC 9110 section 9.1)";
    }
    boolean connect = HttpMethod.CONNECT.asciiName().contentEquals(method);
    CharSequence protocol = headers.get(PROTOCOL);
    if (protocol != null && !connect) {
      return ":protocol on a "
          + method
          + " request (expected: only on an extended CONNECT, RFC 8441 section 4)";
    }
    if (protocol != null && (protocol.length() == 0 || !token(protocol))) {
      return ":protocol \"" + protocol + "\" (expected: an upgrade token such as websocket)";
    }
    String authorityProblem = authority(headers, connect);
    if (authorityProblem != null) {
      return authorityProblem;
    }
    // An extended CONNECT (RFC 8441 section 4) carries :scheme and :path as any other request.
    if (connect && protocol == null) {
      if (headers.contains(SCHEME) || headers.contains(PATH)) {
        return "CONNECT with :scheme or :path (expected: :authority only, RFC 9113 section 8.5)";
      }
      return null;
    }
    CharSequence scheme = headers.scheme();
    if (scheme == null || scheme.length() == 0) {
      return "no :scheme (expected: one on every request but CONNECT, RFC 9113 section 8.3.1)";
    }
    if (!schemeSyntax(scheme)) {
      return ":scheme \"" + scheme + "\" (expected: a URI scheme such as http or https)";
    }
    CharSequence path = headers.path();
    if (path == null || path.length() == 0) {
      return "no :path (expected: one on every request but CONNECT, RFC 9113 section 8.3.1)";
    }
    if (path.charAt(0) != '/'
        && !(path.length() == 1 && path.charAt(0) == '*' && isOptions(method))) {
      return ":path \""
          + path
          + "\" (expected: starting with /, or * for OPTIONS, RFC 9113 section 8.3.1)";
    }
    return null;
  }

  /**
   * Each request pseudo-header field at most once, no response one. One pass over the leading
   * fields: the header block keeps its pseudo-header fields first.
   */
  private static @Nullable String pseudoHeaderFields(Http2Headers headers) {
    int seen = 0;
    for (Map.Entry<CharSequence, CharSequence> field : headers) {
      CharSequence name = field.getKey();
      if (!PseudoHeaderName.hasPseudoHeaderFormat(name)) {
        break;
      }
      int bit = PSEUDO.indexOf(AsciiString.of(name));
      if (bit < 0) {
        return "pseudo-header field "
            + name
            + " in a request (expected: :method, :scheme, :path, :authority only,"
            + " RFC 9113 section 8.3.1)";
      }
      if ((seen & (1 << bit)) != 0) {
        return "a second " + name + " field (expected: at most one, RFC 9113 section 8.3)";
      }
      seen |= 1 << bit;
    }
    return null;
  }

  /**
   * The {@code :authority} and {@code host} fields: well formed, without user information, and the
   * same when both are there (RFC 9113 8.3.1); CONNECT needs an {@code :authority}.
   */
  private static @Nullable String authority(Http2Headers headers, boolean connect) {
    CharSequence authority = headers.authority();
    if (authority == null && connect) {
      return "CONNECT without :authority (expected: host:port, RFC 9113 section 8.5;"
          + " an extended CONNECT too, RFC 8441 section 4)";
    }
    if (authority != null
        && authority.length() > 0
        && !RequestAuthority.validAuthority(authority.toString())) {
      return ":authority \"" + authority + "\" (expected: host[:port] without user information)";
    }
    if (!headers.contains(HttpHeaderNames.HOST)) {
      return null;
    }
    List<CharSequence> hosts = headers.getAll(HttpHeaderNames.HOST);
    for (CharSequence host : hosts) {
      if (host.length() > 0 && !RequestAuthority.validAuthority(host.toString())) {
        return "host \"" + host + "\" (expected: host[:port])";
      }
      CharSequence reference = authority != null ? authority : hosts.get(0);
      if (!AsciiString.contentEqualsIgnoreCase(reference, host)) {
        return (authority != null ? ":authority \"" : "host \"")
            + reference
            + "\" and host \""
            + host
            + "\" differ (expected: the same authority, RFC 9113 section 8.3.1)";
      }
    }
    return null;
  }

  private static boolean isOptions(CharSequence method) {
    return HttpMethod.OPTIONS.asciiName().contentEquals(method);
  }

  /** RFC 9110 5.6.2 token characters. */
  private static boolean token(CharSequence value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** RFC 3986 3.1: {@code ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )}. */
  private static boolean schemeSyntax(CharSequence scheme) {
    for (int i = 0; i < scheme.length(); i++) {
      char c = scheme.charAt(i);
      boolean alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      boolean ok = alpha || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private Http2RequestHeads() {}
}
