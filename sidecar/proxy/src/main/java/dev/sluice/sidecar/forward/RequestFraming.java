package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.http2.Http2Head;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/**
 * What a request head says of its body, read the same way from an HTTP/1.1 head and an HTTP/2 one
 * (its header block, unconverted).
 */
public final class RequestFraming {
  /** True for a request head that carries no body (sent upstream as a full message). */
  public static boolean bodyless(HttpRequest request) {
    if (request instanceof FullHttpRequest full) {
      return full.content().readableBytes() == 0; // HTTP/2 HEADERS with END_STREAM
    }
    if (Http2Head.unconverted(request) != null) {
      // HTTP/2 with a body to follow: chunked unless it declares a length (then: is it 0?)
      String length = Http2Head.field(request, HttpHeaderNames.CONTENT_LENGTH);
      return length != null && "0".equals(length.trim());
    }
    if (HttpUtil.isTransferEncodingChunked(request)) {
      return false; // HTTP/1.1 chunked, or HTTP/2 without a content-length (the codec marks it)
    }
    String length = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
    return length == null || "0".equals(length.trim());
  }

  /** The declared content-length of {@code head}, or -1 (none, or not a number). */
  static long declaredLength(HttpRequest head) {
    String length = Http2Head.field(head, HttpHeaderNames.CONTENT_LENGTH);
    if (length == null) {
      return -1L;
    }
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1L;
    }
  }

  /** {@code Expect: 100-continue} on an HTTP/1.1 (or HTTP/2) request. */
  static boolean expectsContinue(HttpRequest head) {
    if (Http2Head.unconverted(head) == null) {
      return HttpUtil.is100ContinueExpected(head);
    }
    String expect = Http2Head.field(head, HttpHeaderNames.EXPECT);
    return expect != null && HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect);
  }

  private RequestFraming() {}
}
