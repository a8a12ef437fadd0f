package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.http2.HeadFields;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.jspecify.annotations.Nullable;

/**
 * What a request head says of its body, read through {@link HeadFields}: the same answers from an
 * HTTP/1.1 head and an HTTP/2 one.
 */
public final class RequestFraming {
  /** True for a request head that carries no body (sent upstream as a full message). */
  public static boolean bodyless(HttpRequest request) {
    if (request instanceof FullHttpRequest full) {
      return full.content().readableBytes() == 0; // HTTP/2 HEADERS with END_STREAM
    }
    if (HeadFields.chunked(request)) {
      return false; // HTTP/1.1 chunked, or HTTP/2 DATA to follow without a content-length
    }
    String length = HeadFields.get(request, HttpHeaderNames.CONTENT_LENGTH);
    return length == null || "0".equals(length.trim());
  }

  /** The declared content-length of {@code head}, or -1 (none, or not a number). */
  static long declaredLength(HttpRequest head) {
    String length = HeadFields.get(head, HttpHeaderNames.CONTENT_LENGTH);
    if (length == null) {
      return -1L;
    }
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1L;
    }
  }

  /** {@code Expect: 100-continue} on an HTTP/1.1 (or HTTP/2) request; HTTP/1.0 has none. */
  static boolean expectsContinue(HttpRequest head) {
    @Nullable String expect = HeadFields.get(head, HttpHeaderNames.EXPECT);
    return expect != null
        && head.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0
        && HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect);
  }

  private RequestFraming() {}
}
