package dev.sluice.sidecar.http2;

import static io.netty.handler.codec.http2.Http2Error.PROTOCOL_ERROR;
import static io.netty.handler.codec.http2.Http2Exception.streamError;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Message heads between an HTTP/2 header block and Netty's HTTP/1.x objects, for the shapes a proxy
 * forwards all day: requests in origin form (or {@code *}) and responses. The rules are those of
 * Netty's {@link HttpConversionUtil} (RFC 9113 8.2 and 8.3): {@code :authority} becomes {@code
 * host} and a conflicting {@code host} is a stream error; cookies are joined with {@code "; "};
 * connection-specific fields and Netty's {@code x-http2-*} extension fields never cross; {@code te}
 * crosses only as {@code trailers}. Everything else (CONNECT, absolute-form targets, a head that
 * still lists {@code Connection} options) goes through {@link HttpConversionUtil} itself.
 *
 * <p>Faster than the general conversion by doing less: one pass over the fields, no validation a
 * decoder already did (see {@link Http2Messages}), no stream-id and scheme fields added only to be
 * stripped again, no lower-casing of names HTTP/2 delivers in lower case.
 */
final class Heads {
  private static final HttpHeadersFactory HEADERS =
      DefaultHttpHeadersFactory.headersFactory().withValidation(false);
  private static final AsciiString EXTENSION_PREFIX = AsciiString.cached("x-http2-");

  /** Fields that never go from HTTP/1.x to HTTP/2 (RFC 9113 8.2.2), and Netty's extensions. */
  private static final Set<AsciiString> NOT_TO_HTTP2 =
      Set.of(
          HttpHeaderNames.CONNECTION,
          AsciiString.cached("keep-alive"),
          AsciiString.cached("proxy-connection"),
          HttpHeaderNames.TRANSFER_ENCODING,
          HttpHeaderNames.HOST,
          HttpHeaderNames.UPGRADE,
          HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text(),
          HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(),
          HttpConversionUtil.ExtensionHeaderNames.PATH.text(),
          HttpConversionUtil.ExtensionHeaderNames.PROTOCOL.text(),
          HttpConversionUtil.ExtensionHeaderNames.STREAM_DEPENDENCY_ID.text(),
          HttpConversionUtil.ExtensionHeaderNames.STREAM_PROMISE_ID.text(),
          HttpConversionUtil.ExtensionHeaderNames.STREAM_WEIGHT.text());

  /**
   * The HTTP/1.x head of a HEADERS frame: a request ({@code server}) or a response, full (with an
   * empty body and empty, immutable trailers) when the frame ended the stream.
   */
  static HttpMessage inbound(
      boolean server, int streamId, Http2Headers headers, boolean full, ByteBufAllocator alloc)
      throws Http2Exception {
    if (server) {
      CharSequence method = headers.method();
      CharSequence path = headers.path();
      boolean connect = method != null && HttpMethod.CONNECT.asciiName().contentEquals(method);
      // An extended CONNECT (RFC 8441) is read as the GET of its :path it stands for (what a
      // WebSocket over HTTP/1.1 sends): routed and offloaded as that. Its block keeps :method and
      // :protocol for the hop onward.
      boolean extendedConnect =
          connect && headers.contains(Http2Headers.PseudoHeaderName.PROTOCOL.value());
      if (method == null
          || path == null
          || (connect && !extendedConnect)
          || (!extendedConnect
              && headers.contains(Http2Headers.PseudoHeaderName.PROTOCOL.value()))) {
        return full
            ? HttpConversionUtil.toFullHttpRequest(streamId, headers, alloc, false)
            : HttpConversionUtil.toHttpRequest(streamId, headers, false);
      }
      Http2Head.Fields fields = lazyFields(streamId, headers, full);
      HttpMethod httpMethod =
          extendedConnect ? HttpMethod.GET : HttpMethod.valueOf(method.toString());
      return full
          ? new Http2Head.FullRequest(
              httpMethod, path.toString(), Unpooled.EMPTY_BUFFER, EmptyHttpHeaders.INSTANCE, fields)
          : new Http2Head.Request(httpMethod, path.toString(), fields);
    }
    HttpResponseStatus status = status(headers.status());
    if (status == null) {
      return full
          ? HttpConversionUtil.toFullHttpResponse(streamId, headers, alloc, false)
          : HttpConversionUtil.toHttpResponse(streamId, headers, false);
    }
    Http2Head.Fields fields = lazyFields(streamId, headers, full);
    return full
        ? new Http2Head.FullResponse(
            status, Unpooled.EMPTY_BUFFER, EmptyHttpHeaders.INSTANCE, fields)
        : new Http2Head.Response(status, fields);
  }

  /**
   * The fields of a head, converted when asked for; a {@code host} field that contradicts the
   * {@code :authority} is a stream error here, before anyone reads either.
   */
  private static Http2Head.Fields lazyFields(int streamId, Http2Headers headers, boolean full)
      throws Http2Exception {
    CharSequence authority = headers.authority();
    List<CharSequence> hosts =
        headers.contains(HttpHeaderNames.HOST) ? headers.getAll(HttpHeaderNames.HOST) : List.of();
    for (CharSequence host : hosts) {
      if (authority == null) {
        authority = host;
      } else if (!AsciiString.contentEqualsIgnoreCase(authority, host)) {
        throw streamError(
            streamId, PROTOCOL_ERROR, "Conflicting ':authority' and 'host' headers found");
      }
    }
    // A body without a content-length is marked chunked, as Netty's conversion marks it.
    boolean chunked = !full && !headers.contains(HttpHeaderNames.CONTENT_LENGTH);
    return new Http2Head.Fields(headers, chunked);
  }

  /**
   * The HTTP/2 header block of {@code head}; {@code scheme} is the {@code :scheme} of a request.
   */
  static Http2Headers outbound(HttpMessage head, @Nullable String scheme) {
    HttpHeaders in = head.headers();
    DefaultHttp2Headers out;
    if (head instanceof HttpRequest request) {
      String uri = request.uri();
      boolean originForm = (!uri.isEmpty() && uri.charAt(0) == '/') || "*".equals(uri);
      if (!originForm
          || scheme == null
          || HttpMethod.CONNECT.equals(request.method())
          || in.contains(HttpHeaderNames.CONNECTION)) {
        if (scheme != null) {
          in.set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), scheme);
        }
        return HttpConversionUtil.toHttp2Headers(head, false);
      }
      out = new DefaultHttp2Headers(false, in.size() + 4);
      out.method(request.method().asciiName());
      out.path(new AsciiString(uri));
      out.scheme(scheme);
      String host = in.get(HttpHeaderNames.HOST);
      if (host != null && !host.isEmpty()) {
        out.authority(new AsciiString(host));
      }
    } else if (head instanceof HttpResponse response) {
      if (in.contains(HttpHeaderNames.CONNECTION)) {
        return HttpConversionUtil.toHttp2Headers(head, false);
      }
      out = new DefaultHttp2Headers(false, in.size() + 1);
      out.status(response.status().codeAsText());
    } else {
      return HttpConversionUtil.toHttp2Headers(head, false);
    }
    Iterator<Map.Entry<CharSequence, CharSequence>> fields = in.iteratorCharSequence();
    while (fields.hasNext()) {
      Map.Entry<CharSequence, CharSequence> field = fields.next();
      AsciiString name = AsciiString.of(field.getKey()).toLowerCase();
      if (NOT_TO_HTTP2.contains(name)) {
        continue;
      }
      if (HttpHeaderNames.TE.contentEquals(name)) {
        if (Http2Messages.acceptsTrailers(field.getValue())) {
          out.add(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
        continue;
      }
      out.add(name, field.getValue());
    }
    return out;
  }

  /**
   * True for a regular field the conversion leaves out: Netty's {@code x-http2-*} extension fields,
   * {@code transfer-encoding} and {@code trailer}.
   */
  static boolean droppedFromHttp2(CharSequence name) {
    int length = name.length();
    char first = length == 0 ? 0 : name.charAt(0);
    if (first == 'x') {
      return length >= 8 && AsciiString.regionMatches(name, false, 0, EXTENSION_PREFIX, 0, 8);
    }
    return first == 't'
        && ((length == 17 && HttpHeaderNames.TRANSFER_ENCODING.contentEquals(name))
            || (length == 7 && HttpHeaderNames.TRAILER.contentEquals(name)));
  }

  /**
   * The regular fields of an HTTP/2 header block as HTTP/1.x fields (a conflicting {@code host} was
   * refused when the head was read).
   */
  static HttpHeaders fields(Http2Headers headers) {
    HttpHeaders out = HEADERS.newHeaders();
    StringBuilder cookies = null;
    CharSequence authority = null;
    for (Map.Entry<CharSequence, CharSequence> field : headers) {
      CharSequence name = field.getKey();
      CharSequence value = field.getValue();
      if (name.length() > 0 && name.charAt(0) == ':') {
        if (Http2Headers.PseudoHeaderName.AUTHORITY.value().contentEquals(name)) {
          authority = value;
          out.add(HttpHeaderNames.HOST, value);
        }
        continue;
      }
      if (HttpHeaderNames.COOKIE.contentEquals(name)) {
        if (cookies == null) {
          cookies = new StringBuilder(value.length());
        } else {
          cookies.append("; ");
        }
        cookies.append(value);
      } else if (HttpHeaderNames.HOST.contentEquals(name)) {
        if (authority == null) {
          authority = value;
          out.add(HttpHeaderNames.HOST, value);
        }
      } else if (!droppedFromHttp2(name)) {
        out.add(name, value);
      }
    }
    if (cookies != null) {
      out.add(HttpHeaderNames.COOKIE, cookies.toString());
    }
    return out;
  }

  /** A three-digit {@code :status}; null for any other (left to Netty, which names the fault). */
  private static @Nullable HttpResponseStatus status(@Nullable CharSequence status) {
    if (status == null || status.length() != 3) {
      return null;
    }
    int code = 0;
    for (int i = 0; i < 3; i++) {
      char c = status.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      code = code * 10 + (c - '0');
    }
    return code < 100 ? null : HttpResponseStatus.valueOf(code);
  }

  private Heads() {}
}
