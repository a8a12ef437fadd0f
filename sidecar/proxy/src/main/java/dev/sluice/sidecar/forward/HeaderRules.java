package dev.sluice.sidecar.forward;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.util.List;

/**
 * Header rules of a hop: hop-by-hop fields removed (RFC 9110 7.6.1), framing chosen per protocol,
 * {@code Via}, {@code X-Forwarded-For} and {@code X-Forwarded-Proto} added. Heads are rebuilt,
 * never mutated in place; bodies are never touched here.
 */
final class HeaderRules {
  static final String VIA_TOKEN = "sluice";
  private static final List<CharSequence> HOP_BY_HOP =
      List.of(
          HttpHeaderNames.CONNECTION,
          HttpHeaderNames.KEEP_ALIVE,
          "proxy-connection",
          HttpHeaderNames.PROXY_AUTHORIZATION,
          HttpHeaderNames.PROXY_AUTHENTICATE,
          HttpHeaderNames.TE,
          HttpHeaderNames.TRANSFER_ENCODING,
          HttpHeaderNames.UPGRADE,
          HttpHeaderNames.EXPECT);

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
    HttpHeaders headers = in.headers().copy();
    boolean trailersAccepted =
        headers.containsValue(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS, true);
    stripHopByHop(headers);
    if (upstreamHttp2 && trailersAccepted) {
      headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
    }
    headers.add(HttpHeaderNames.VIA, (downstreamHttp2 ? "2.0 " : "1.1 ") + VIA_TOKEN);
    if (clientAddress != null) {
      String previous = headers.get("x-forwarded-for");
      headers.set(
          "x-forwarded-for", previous == null ? clientAddress : previous + ", " + clientAddress);
    }
    headers.set("x-forwarded-proto", scheme);
    if (bodyless) {
      headers.remove(HttpHeaderNames.CONTENT_LENGTH);
      if (methodExpectsBody(in.method())) {
        headers.set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
      }
      return new DefaultFullHttpRequest(
          HttpVersion.HTTP_1_1,
          in.method(),
          in.uri(),
          Unpooled.EMPTY_BUFFER,
          headers,
          HttpHeaders.EMPTY_HEADERS);
    }
    if (!upstreamHttp2 && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, in.method(), in.uri(), headers);
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
    HttpHeaders headers = in.headers().copy();
    stripHopByHop(headers);
    headers.add(HttpHeaderNames.VIA, (upstreamHttp2 ? "2.0 " : "1.1 ") + VIA_TOKEN);
    boolean full = in instanceof FullHttpResponse;
    if (!downstreamHttp2) {
      if (!keepAlive) {
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      boolean mayHaveBody =
          !HttpMethod.HEAD.equals(requestMethod) && !contentAlwaysEmpty(in.status().code());
      if (!full && mayHaveBody && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
        headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      }
      if (full && mayHaveBody && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
        headers.set(
            HttpHeaderNames.CONTENT_LENGTH, ((FullHttpResponse) in).content().readableBytes());
      }
    }
    if (full) {
      FullHttpResponse source = (FullHttpResponse) in;
      return new DefaultFullHttpResponse(
          HttpVersion.HTTP_1_1, in.status(), source.content(), headers, source.trailingHeaders());
    }
    return new DefaultHttpResponse(HttpVersion.HTTP_1_1, in.status(), headers);
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

  private static void stripHopByHop(HttpHeaders headers) {
    for (String listed : headers.getAll(HttpHeaderNames.CONNECTION)) {
      for (String name : listed.split(",")) {
        String trimmed = name.trim();
        if (!trimmed.isEmpty()) {
          headers.remove(trimmed);
        }
      }
    }
    for (CharSequence name : HOP_BY_HOP) {
      headers.remove(name);
    }
    for (HttpConversionUtil.ExtensionHeaderNames extension :
        HttpConversionUtil.ExtensionHeaderNames.values()) {
      headers.remove(extension.text());
    }
  }

  private static boolean methodExpectsBody(HttpMethod method) {
    return HttpMethod.POST.equals(method)
        || HttpMethod.PUT.equals(method)
        || HttpMethod.PATCH.equals(method);
  }

  static boolean contentAlwaysEmpty(int status) {
    return (status >= 100 && status < 200) || status == 204 || status == 304;
  }

  private HeaderRules() {}
}
