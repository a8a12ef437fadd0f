package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.http2.Http2Messages;
import dev.sluice.sidecar.http2.WireHead;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Header rules of a hop: hop-by-hop fields removed (RFC 9110 7.6.1: the fixed list and every name
 * the {@code Connection} field lists), framing chosen per protocol, {@code Via}, {@code
 * X-Forwarded-For} and {@code X-Forwarded-Proto} added. One pass over the incoming fields writes
 * the outgoing head in the form its side sends: HTTP/1.1 fields, or the HTTP/2 header block itself
 * ({@link WireHead}), so a head bound for HTTP/2 is not filled as HTTP/1.x fields only to be
 * converted again. Incoming heads are never changed; bodies are never touched here.
 */
final class HeaderRules {
  static final String VIA_TOKEN = "sluice";
  private static final AsciiString VIA_HTTP1 = AsciiString.cached("1.1 " + VIA_TOKEN);
  private static final AsciiString VIA_HTTP2 = AsciiString.cached("2.0 " + VIA_TOKEN);
  private static final AsciiString FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  private static final AsciiString FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");

  /**
   * Already validated where they were read (the HTTP/1.1 and HPACK decoders); what the rules add is
   * ours. See {@code Http2Messages}.
   */
  private static final HttpHeadersFactory FIELDS =
      DefaultHttpHeadersFactory.headersFactory().withValidation(false);

  /** What an incoming field is to the rules; names not listed are passed on. */
  private enum Kind {
    HOP_BY_HOP,
    HOST,
    TE,
    FORWARDED_FOR,
    FORWARDED_PROTO,
    CONTENT_LENGTH,
    TRANSFER_ENCODING
  }

  private static final Map<AsciiString, Kind> KINDS = new HashMap<>();

  static {
    for (AsciiString name :
        List.of(
            HttpHeaderNames.CONNECTION,
            HttpHeaderNames.KEEP_ALIVE,
            AsciiString.cached("proxy-connection"),
            HttpHeaderNames.PROXY_AUTHORIZATION,
            HttpHeaderNames.PROXY_AUTHENTICATE,
            HttpHeaderNames.UPGRADE,
            HttpHeaderNames.EXPECT)) {
      KINDS.put(name, Kind.HOP_BY_HOP);
    }
    for (HttpConversionUtil.ExtensionHeaderNames extension :
        HttpConversionUtil.ExtensionHeaderNames.values()) {
      KINDS.put(extension.text(), Kind.HOP_BY_HOP); // Netty's x-http2-*: never from a client
    }
    KINDS.put(HttpHeaderNames.HOST, Kind.HOST);
    KINDS.put(HttpHeaderNames.TE, Kind.TE);
    KINDS.put(FORWARDED_FOR, Kind.FORWARDED_FOR);
    KINDS.put(FORWARDED_PROTO, Kind.FORWARDED_PROTO);
    KINDS.put(HttpHeaderNames.CONTENT_LENGTH, Kind.CONTENT_LENGTH);
    KINDS.put(HttpHeaderNames.TRANSFER_ENCODING, Kind.TRANSFER_ENCODING);
  }

  /**
   * The request head to send upstream.
   *
   * @param bodyless the request has no body: sent as a full message, so HTTP/2 ends the stream on
   *     HEADERS and HTTP/1.1 sends no framing headers
   */
  static HttpRequest requestForUpstream(
      HttpRequest in,
      boolean bodyless,
      boolean upstreamHttp2,
      boolean downstreamHttp2,
      String clientAddress,
      String scheme) {
    boolean wire = upstreamHttp2 && sentAsItsPseudoHeaders(in);
    Out out = wire ? new Http2Out(in.headers().size() + 6) : new Http1Out();
    if (wire) {
      out.block().method(in.method().asciiName()).path(new AsciiString(in.uri()));
    }
    List<AsciiString> listed = connectionOptions(in.headers());
    CharSequence authority = null;
    CharSequence forwardedFor = null;
    boolean trailersAccepted = false;
    boolean length = false;
    Iterator<Map.Entry<CharSequence, CharSequence>> fields = in.headers().iteratorCharSequence();
    while (fields.hasNext()) {
      Map.Entry<CharSequence, CharSequence> field = fields.next();
      AsciiString name = AsciiString.of(field.getKey()).toLowerCase();
      CharSequence value = field.getValue();
      Kind kind = listed.contains(name) ? Kind.HOP_BY_HOP : KINDS.get(name);
      if (kind == null) {
        out.add(name, field.getKey(), value);
        continue;
      }
      switch (kind) {
        case HOST -> {
          if (!wire) {
            out.add(name, field.getKey(), value);
          } else if (authority == null && value.length() > 0) {
            authority = value;
          }
        }
        case TE -> trailersAccepted |= Http2Messages.acceptsTrailers(value);
        case FORWARDED_FOR -> {
          if (clientAddress == null) {
            out.add(name, field.getKey(), value);
          } else if (forwardedFor == null) {
            forwardedFor = value;
          }
        }
        case CONTENT_LENGTH -> {
          if (!bodyless) {
            length = true;
            out.add(name, field.getKey(), value);
          }
        }
        default -> {} // hop-by-hop, framing of this hop, or replaced below
      }
    }
    if (authority != null) {
      out.block().authority(new AsciiString(authority));
    }
    if (upstreamHttp2 && trailersAccepted) {
      out.add(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
    }
    out.add(HttpHeaderNames.VIA, downstreamHttp2 ? VIA_HTTP2 : VIA_HTTP1);
    if (clientAddress != null) {
      out.add(
          FORWARDED_FOR,
          forwardedFor == null ? clientAddress : forwardedFor + ", " + clientAddress);
    }
    out.add(FORWARDED_PROTO, scheme);
    if (bodyless) {
      if (methodExpectsBody(in.method())) {
        out.add(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
      }
    } else if (!upstreamHttp2 && !length) {
      out.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    return out.request(in.method(), in.uri(), bodyless);
  }

  /**
   * The response head to send downstream.
   *
   * @param keepAlive HTTP/1.1 only: whether the downstream connection stays open afterwards
   */
  static HttpResponse responseForDownstream(
      HttpResponse in,
      boolean upstreamHttp2,
      boolean downstreamHttp2,
      HttpMethod requestMethod,
      boolean keepAlive) {
    Out out = downstreamHttp2 ? new Http2Out(in.headers().size() + 2) : new Http1Out();
    if (downstreamHttp2) {
      out.block().status(in.status().codeAsText());
    }
    List<AsciiString> listed = connectionOptions(in.headers());
    boolean length = false;
    Iterator<Map.Entry<CharSequence, CharSequence>> fields = in.headers().iteratorCharSequence();
    while (fields.hasNext()) {
      Map.Entry<CharSequence, CharSequence> field = fields.next();
      AsciiString name = AsciiString.of(field.getKey()).toLowerCase();
      Kind kind = listed.contains(name) ? Kind.HOP_BY_HOP : KINDS.get(name);
      if (kind == Kind.HOP_BY_HOP
          || kind == Kind.TE
          || kind == Kind.TRANSFER_ENCODING
          || (kind == Kind.HOST && downstreamHttp2)) {
        continue;
      }
      length |= kind == Kind.CONTENT_LENGTH;
      out.add(name, field.getKey(), field.getValue());
    }
    out.add(HttpHeaderNames.VIA, upstreamHttp2 ? VIA_HTTP2 : VIA_HTTP1);
    FullHttpResponse full = in instanceof FullHttpResponse whole ? whole : null;
    if (!downstreamHttp2) {
      if (!keepAlive) {
        out.add(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      boolean mayHaveBody =
          !HttpMethod.HEAD.equals(requestMethod) && !contentAlwaysEmpty(in.status().code());
      if (mayHaveBody && !length) {
        if (full == null) {
          out.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else {
          out.add(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(full.content().readableBytes()));
        }
      }
    }
    return out.response(in, full);
  }

  /** True for a request head that carries no body (HTTP/1.1: no length, no chunking). */
  static boolean bodyless(HttpRequest request) {
    if (request instanceof FullHttpRequest full) {
      return full.content().readableBytes() == 0; // HTTP/2 HEADERS with END_STREAM
    }
    if (HttpUtil.isTransferEncodingChunked(request)) {
      return false; // HTTP/1.1 chunked, or HTTP/2 without a content-length (the codec marks it)
    }
    String length = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
    return length == null || "0".equals(length.trim());
  }

  static boolean contentAlwaysEmpty(int status) {
    return (status >= 100 && status < 200) || status == 204 || status == 304;
  }

  /**
   * An origin-form (or {@code *}) target of a method other than CONNECT: its pseudo-header fields
   * are plain. Anything else (absolute form, CONNECT) takes Netty's general conversion.
   */
  private static boolean sentAsItsPseudoHeaders(HttpRequest request) {
    String uri = request.uri();
    return (!uri.isEmpty() && uri.charAt(0) == '/' || "*".equals(uri))
        && !HttpMethod.CONNECT.equals(request.method());
  }

  /** The names the {@code Connection} field lists, in lower case (usually none). */
  private static List<AsciiString> connectionOptions(HttpHeaders headers) {
    List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
    if (values.isEmpty()) {
      return List.of();
    }
    List<AsciiString> names = new ArrayList<>(2);
    for (String value : values) {
      for (String option : value.split(",")) {
        String trimmed = option.trim();
        if (!trimmed.isEmpty()) {
          names.add(new AsciiString(trimmed).toLowerCase());
        }
      }
    }
    return names;
  }

  private static boolean methodExpectsBody(HttpMethod method) {
    return HttpMethod.POST.equals(method)
        || HttpMethod.PUT.equals(method)
        || HttpMethod.PATCH.equals(method);
  }

  /** Where the outgoing head is written: HTTP/1.1 fields, or an HTTP/2 header block. */
  private sealed interface Out permits Http1Out, Http2Out {
    /** Adds a field; {@code name} in lower case, {@code given} as it arrived (or {@code name}). */
    void add(AsciiString name, CharSequence given, CharSequence value);

    default void add(AsciiString name, CharSequence value) {
      add(name, name, value);
    }

    /** The header block (HTTP/2 only). */
    Http2Headers block();

    HttpRequest request(HttpMethod method, String uri, boolean bodyless);

    /** The response head for {@code in}; {@code full}: {@code in} as a whole response, or null. */
    HttpResponse response(HttpResponse in, FullHttpResponse full);
  }

  /** HTTP/1.1 fields; names keep the case they arrived in. */
  private static final class Http1Out implements Out {
    private final HttpHeaders fields = FIELDS.newHeaders();

    @Override
    public void add(AsciiString name, CharSequence given, CharSequence value) {
      fields.add(given, value);
    }

    @Override
    public Http2Headers block() {
      throw new IllegalStateException("an HTTP/1.1 head has no HTTP/2 header block");
    }

    @Override
    public HttpRequest request(HttpMethod method, String uri, boolean bodyless) {
      return bodyless
          ? new DefaultFullHttpRequest(
              HttpVersion.HTTP_1_1,
              method,
              uri,
              Unpooled.EMPTY_BUFFER,
              fields,
              HttpHeaders.EMPTY_HEADERS)
          : new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri, fields);
    }

    @Override
    public HttpResponse response(HttpResponse in, FullHttpResponse full) {
      return full == null
          ? new DefaultHttpResponse(HttpVersion.HTTP_1_1, in.status(), fields)
          : new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, in.status(), full.content(), fields, full.trailingHeaders());
    }
  }

  /** The HTTP/2 header block itself; names in lower case, as HTTP/2 requires. */
  private static final class Http2Out implements Out {
    private final DefaultHttp2Headers block;

    Http2Out(int sizeHint) {
      block = new DefaultHttp2Headers(false, sizeHint);
    }

    @Override
    public void add(AsciiString name, CharSequence given, CharSequence value) {
      block.add(name, value);
    }

    @Override
    public Http2Headers block() {
      return block;
    }

    @Override
    public HttpRequest request(HttpMethod method, String uri, boolean bodyless) {
      return bodyless
          ? WireHead.bodylessRequest(method, uri, block)
          : WireHead.request(method, uri, block);
    }

    @Override
    public HttpResponse response(HttpResponse in, FullHttpResponse full) {
      return full == null
          ? WireHead.response(in.status(), block)
          : WireHead.fullResponse(in.status(), block, full.content(), full.trailingHeaders());
    }
  }
}
