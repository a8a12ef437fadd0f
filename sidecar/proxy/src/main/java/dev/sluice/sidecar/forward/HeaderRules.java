package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.filters.HeaderEdits;
import dev.sluice.sidecar.http2.HeadFields;
import dev.sluice.sidecar.http2.Http2Messages;
import dev.sluice.sidecar.http2.WireHead;
import dev.sluice.sidecar.trace.ExchangeTrace;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Header rules of a hop: hop-by-hop fields removed (RFC 9110 7.6.1: the fixed list and every name
 * the {@code Connection} field lists), framing chosen per protocol, {@code Via}, {@code
 * X-Forwarded-For} and {@code X-Forwarded-Proto} added, a rule's header modifiers and rewritten
 * target and host applied ({@link HeaderEdits}). One pass over the incoming fields writes the
 * outgoing head in the form its side sends: HTTP/1.1 fields, or the HTTP/2 header block itself
 * ({@link WireHead}), so a head bound for HTTP/2 is not filled as HTTP/1.x fields only to be
 * converted again. Incoming heads are never changed; bodies are never touched here.
 */
final class HeaderRules {
  static final String VIA_TOKEN = "sluice";
  private static final AsciiString VIA_HTTP1 = AsciiString.cached("1.1 " + VIA_TOKEN);
  private static final AsciiString VIA_HTTP2 = AsciiString.cached("2.0 " + VIA_TOKEN);
  private static final AsciiString FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  private static final AsciiString FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
  static final AsciiString TRACESTATE = AsciiString.cached("tracestate");

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
    TRANSFER_ENCODING,
    TRACEPARENT,
    TRACESTATE
  }

  /** A name the rules know and what it is. */
  private record Known(AsciiString name, Kind kind) {}

  /**
   * The names the rules know, by length: classifying a field is a length index and a
   * case-insensitive compare with the one or two names of that length, no lower-cased copy and no
   * hash (an HTTP/1.1 head's names arrive in any case, often as Strings).
   */
  private static final Known[][] KNOWN = new Known[32][];

  static {
    List<Known> known = new ArrayList<>();
    for (AsciiString name :
        List.of(
            HttpHeaderNames.CONNECTION,
            AsciiString.cached("keep-alive"),
            AsciiString.cached("proxy-connection"),
            HttpHeaderNames.PROXY_AUTHORIZATION,
            HttpHeaderNames.PROXY_AUTHENTICATE,
            HttpHeaderNames.UPGRADE,
            HttpHeaderNames.EXPECT)) {
      known.add(new Known(name, Kind.HOP_BY_HOP));
    }
    for (HttpConversionUtil.ExtensionHeaderNames extension :
        HttpConversionUtil.ExtensionHeaderNames.values()) {
      known.add(new Known(extension.text(), Kind.HOP_BY_HOP)); // Netty's x-http2-*: not a client's
    }
    known.add(new Known(HttpHeaderNames.HOST, Kind.HOST));
    known.add(new Known(HttpHeaderNames.TE, Kind.TE));
    known.add(new Known(FORWARDED_FOR, Kind.FORWARDED_FOR));
    known.add(new Known(FORWARDED_PROTO, Kind.FORWARDED_PROTO));
    known.add(new Known(HttpHeaderNames.CONTENT_LENGTH, Kind.CONTENT_LENGTH));
    known.add(new Known(HttpHeaderNames.TRANSFER_ENCODING, Kind.TRANSFER_ENCODING));
    known.add(new Known(TRACEPARENT, Kind.TRACEPARENT));
    known.add(new Known(TRACESTATE, Kind.TRACESTATE));
    for (Known k : known) {
      Known[] same = KNOWN[k.name().length()];
      Known[] grown = same == null ? new Known[1] : Arrays.copyOf(same, same.length + 1);
      grown[grown.length - 1] = k;
      KNOWN[k.name().length()] = grown;
    }
  }

  /** What field {@code name} is to the rules (any case); null when it just passes on. */
  private static @Nullable Kind kind(CharSequence name, List<CharSequence> listed) {
    for (int i = 0; i < listed.size(); i++) { // indexed: no iterator per field
      if (AsciiString.contentEqualsIgnoreCase(listed.get(i), name)) {
        return Kind.HOP_BY_HOP;
      }
    }
    int length = name.length();
    Known[] candidates = length < KNOWN.length ? KNOWN[length] : null;
    if (candidates != null) {
      for (Known candidate : candidates) {
        if (candidate.name().contentEqualsIgnoreCase(name)) {
          return candidate.kind();
        }
      }
    }
    return null;
  }

  /**
   * The request head to send upstream.
   *
   * @param bodyless the request has no body: sent as a full message, so HTTP/2 ends the stream on
   *     HEADERS and HTTP/1.1 sends no framing headers
   * @param trace the exchange's trace context: a {@code traceparent} of ours replaces the
   *     request's, and a restarted trace drops its {@code tracestate}
   */
  static HttpRequest requestForUpstream(
      HttpRequest in,
      boolean bodyless,
      boolean upstreamHttp2,
      boolean downstreamHttp2,
      @Nullable String clientAddress,
      String scheme,
      ExchangeTrace trace) {
    return requestForUpstream(
        in,
        bodyless,
        upstreamHttp2,
        downstreamHttp2,
        clientAddress,
        scheme,
        trace,
        in.uri(),
        null,
        HeaderEdits.NONE);
  }

  /**
   * The request head to send upstream, with the rule's rewrite and header modifiers: {@code uri}
   * instead of the request's target, {@code host} (when not null) as its {@code Host} or {@code
   * :authority}, and {@code edits} applied in the same pass: a field they set or remove is not
   * copied (nor is one the rules add themselves, {@code Via}, {@code X-Forwarded-*}, {@code
   * traceparent}, written), and their fields follow the copy.
   */
  static HttpRequest requestForUpstream(
      HttpRequest in,
      boolean bodyless,
      boolean upstreamHttp2,
      boolean downstreamHttp2,
      @Nullable String clientAddress,
      String scheme,
      ExchangeTrace trace,
      String uri,
      @Nullable String host,
      HeaderEdits edits) {
    boolean wire = upstreamHttp2 && sentAsItsPseudoHeaders(in);
    Out out = wire ? new Http2Out(HeadFields.sizeHint(in, true) + 6) : new Http1Out();
    out.edits = edits;
    out.host = host;
    if (wire) {
      out.block().method(in.method().asciiName()).path(new AsciiString(uri));
    }
    String traceparent = trace.outgoing();
    copyRequestFields(in, wire, bodyless, clientAddress != null, traceparent == null, trace, out);
    if (host != null && !out.hostSeen) {
      if (wire) {
        out.authority = host;
      } else {
        out.add(HttpHeaderNames.HOST, host);
      }
    }
    if (out.authority != null) {
      out.block().authority(new AsciiString(out.authority));
    }
    if (upstreamHttp2 && out.trailersAccepted) {
      out.add(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
    }
    out.ours(HttpHeaderNames.VIA, downstreamHttp2 ? VIA_HTTP2 : VIA_HTTP1);
    if (clientAddress != null) {
      out.ours(
          FORWARDED_FOR,
          out.forwardedFor == null ? clientAddress : out.forwardedFor + ", " + clientAddress);
    }
    out.ours(FORWARDED_PROTO, scheme);
    if (traceparent != null) {
      out.ours(TRACEPARENT, traceparent);
    }
    if (!edits.none()) {
      edits.writeTo(out::add);
    }
    if (bodyless) {
      if (methodExpectsBody(in.method())) {
        out.add(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
      }
    } else if (!upstreamHttp2 && !out.length) {
      out.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    return out.request(in.method(), uri, bodyless);
  }

  /**
   * Copies the request's fields that go on as they are, and notes in {@code out} those the rules
   * replace or decide on: the authority (a {@code host} sent as {@code :authority}), an incoming
   * {@code x-forwarded-for} (extended), {@code te: trailers}, a content-length; a {@code
   * traceparent} replaced by the exchange's and a restarted trace's {@code tracestate} are left
   * out.
   */
  private static void copyRequestFields(
      HttpRequest in,
      boolean wire,
      boolean bodyless,
      boolean forwarding,
      boolean traceparentPasses,
      ExchangeTrace trace,
      Out out) {
    List<CharSequence> listed = connectionOptions(in);
    Iterator<Map.Entry<CharSequence, CharSequence>> fields = HeadFields.forHop(in, wire);
    while (fields.hasNext()) {
      Map.Entry<CharSequence, CharSequence> field = fields.next();
      CharSequence name = field.getKey();
      CharSequence value = field.getValue();
      Kind kind = kind(name, listed);
      if (kind == null) {
        if (out.edits.none() || !out.edits.drops(name)) {
          out.add(name, value);
        }
        continue;
      }
      switch (kind) {
        case HOST -> {
          out.hostSeen = true;
          CharSequence host = out.host != null ? out.host : value;
          if (!wire) {
            out.add(name, host);
          } else if (out.authority == null && value.length() > 0) {
            out.authority = host;
          }
        }
        case TE -> out.trailersAccepted |= Http2Messages.acceptsTrailers(value);
        case FORWARDED_FOR -> {
          if (!out.edits.none() && out.edits.drops(name)) {
            continue; // set or removed: the client's chain is not extended either
          }
          if (!forwarding) {
            out.add(name, value);
          } else if (out.forwardedFor == null) {
            out.forwardedFor = value;
          }
        }
        case CONTENT_LENGTH -> {
          if (!bodyless) {
            out.length = true;
            out.add(name, value);
          }
        }
        case TRACEPARENT -> {
          if (traceparentPasses && (out.edits.none() || !out.edits.drops(name))) {
            out.add(name, value);
          }
        }
        case TRACESTATE -> {
          if (!trace.restarted() && (out.edits.none() || !out.edits.drops(name))) {
            out.add(name, value);
          }
        }
        default -> {} // hop-by-hop, framing of this hop, or replaced after the copy
      }
    }
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
    return responseForDownstream(
        in, upstreamHttp2, downstreamHttp2, requestMethod, keepAlive, HeaderEdits.NONE);
  }

  /**
   * The response head to send downstream, with the rule's response header modifiers applied in the
   * same pass (a field they set or remove is not copied, {@code Via} included; their fields follow
   * the copy). Trailers are never changed.
   */
  static HttpResponse responseForDownstream(
      HttpResponse in,
      boolean upstreamHttp2,
      boolean downstreamHttp2,
      HttpMethod requestMethod,
      boolean keepAlive,
      HeaderEdits edits) {
    Out out = downstreamHttp2 ? new Http2Out(HeadFields.sizeHint(in, true) + 2) : new Http1Out();
    out.edits = edits;
    if (downstreamHttp2) {
      out.block().status(in.status().codeAsText());
    }
    List<CharSequence> listed = connectionOptions(in);
    boolean length = false;
    Iterator<Map.Entry<CharSequence, CharSequence>> fields = HeadFields.forHop(in, downstreamHttp2);
    while (fields.hasNext()) {
      Map.Entry<CharSequence, CharSequence> field = fields.next();
      Kind kind = kind(field.getKey(), listed);
      if (kind == Kind.HOP_BY_HOP
          || kind == Kind.TE
          || kind == Kind.TRANSFER_ENCODING
          || (kind == Kind.HOST && downstreamHttp2)
          || (!edits.none() && edits.drops(field.getKey()))) {
        continue;
      }
      length |= kind == Kind.CONTENT_LENGTH;
      out.add(field.getKey(), field.getValue());
    }
    out.ours(HttpHeaderNames.VIA, upstreamHttp2 ? VIA_HTTP2 : VIA_HTTP1);
    if (!edits.none()) {
      edits.writeTo(out::add);
    }
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

  static boolean contentAlwaysEmpty(int status) {
    return (status >= 100 && status < 200) || status == 204 || status == 304;
  }

  /**
   * An origin-form (or {@code *}) target of a method other than CONNECT: its pseudo-header fields
   * are plain. Anything else (absolute form, CONNECT) takes Netty's general conversion.
   */
  private static boolean sentAsItsPseudoHeaders(HttpRequest request) {
    String uri = request.uri();
    return ((!uri.isEmpty() && uri.charAt(0) == '/') || "*".equals(uri))
        && !HttpMethod.CONNECT.equals(request.method());
  }

  /**
   * The names the {@code Connection} field lists, other than the ones the rules handle anyway: the
   * hop-by-hop fields (always removed), {@code TE} (which a sender of {@code te: trailers} must
   * list, RFC 9110 10.1.4, and which still tells an HTTP/2 upstream that trailers are accepted) and
   * {@code Transfer-Encoding} (this hop's framing).
   */
  private static List<CharSequence> connectionOptions(HttpMessage head) {
    List<String> values = HeadFields.getAll(head, HttpHeaderNames.CONNECTION);
    if (values.isEmpty()) {
      return List.of();
    }
    List<CharSequence> names = new ArrayList<>(1);
    for (String value : values) {
      for (String option : value.split(",", -1)) {
        String trimmed = option.trim();
        Kind kind = kind(trimmed, List.of());
        if (!trimmed.isEmpty()
            && kind != Kind.HOP_BY_HOP
            && kind != Kind.TE
            && kind != Kind.TRANSFER_ENCODING) {
          names.add(trimmed);
        }
      }
    }
    return names.isEmpty() ? List.of() : names;
  }

  private static boolean methodExpectsBody(HttpMethod method) {
    return HttpMethod.POST.equals(method)
        || HttpMethod.PUT.equals(method)
        || HttpMethod.PATCH.equals(method);
  }

  /**
   * Where the outgoing head is written: HTTP/1.1 fields, or an HTTP/2 header block; and, for a
   * request, what its incoming fields said that the rules act on after copying them.
   */
  private abstract static sealed class Out permits Http1Out, Http2Out {
    @Nullable CharSequence authority;
    @Nullable CharSequence forwardedFor;
    boolean trailersAccepted;
    boolean length;

    /** The rule's header modifiers for this head. */
    HeaderEdits edits = HeaderEdits.NONE;

    /** The rule's rewritten host; null: the request's. */
    @Nullable CharSequence host;

    /** The request had a host (HTTP/1.1 {@code Host}, HTTP/2 {@code :authority}). */
    boolean hostSeen;

    /** Adds a field; {@code name} in the case it arrived in (HTTP/2 lower-cases it). */
    abstract void add(CharSequence name, CharSequence value);

    /** Adds a field the rules write themselves, unless the rule's modifiers set or remove it. */
    final void ours(CharSequence name, CharSequence value) {
      if (edits.none() || !edits.drops(name)) {
        add(name, value);
      }
    }

    /** The header block (HTTP/2 only). */
    abstract Http2Headers block();

    abstract HttpRequest request(HttpMethod method, String uri, boolean bodyless);

    /** The response head for {@code in}; {@code full}: {@code in} when it is a whole response. */
    abstract HttpResponse response(HttpResponse in, @Nullable FullHttpResponse full);
  }

  /** HTTP/1.1 fields; names keep the case they arrived in. */
  private static final class Http1Out extends Out {
    private final HttpHeaders fields = FIELDS.newHeaders();

    @Override
    public void add(CharSequence name, CharSequence value) {
      fields.add(name, value);
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
              EmptyHttpHeaders.INSTANCE)
          : new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri, fields);
    }

    @Override
    public HttpResponse response(HttpResponse in, @Nullable FullHttpResponse full) {
      return full == null
          ? new DefaultHttpResponse(HttpVersion.HTTP_1_1, in.status(), fields)
          : new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, in.status(), full.content(), fields, full.trailingHeaders());
    }
  }

  /** The HTTP/2 header block itself; names in lower case, as HTTP/2 requires. */
  private static final class Http2Out extends Out {
    private final DefaultHttp2Headers block;

    Http2Out(int sizeHint) {
      block = new DefaultHttp2Headers(false, sizeHint);
    }

    @Override
    public void add(CharSequence name, CharSequence value) {
      block.add(AsciiString.of(name).toLowerCase(), value);
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
    public HttpResponse response(HttpResponse in, @Nullable FullHttpResponse full) {
      return full == null
          ? WireHead.response(in.status(), block)
          : WireHead.fullResponse(in.status(), block, full.content(), full.trailingHeaders());
    }
  }
}
