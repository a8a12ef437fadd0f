package dev.sluice.sidecar.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Responses the sidecar answers itself (404 no rule, 413, 502/503/504, 400/431 bad requests): plain
 * text, one sentence saying what was wrong and what was expected.
 */
public final class LocalResponses {

  public static FullHttpResponse of(
      ByteBufAllocator alloc, HttpResponseStatus status, String sentence, boolean close) {
    ByteBuf body = alloc.buffer();
    body.writeCharSequence(text(status, sentence), StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
        .set("x-sluice-local", "1");
    if (close) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return response;
  }

  /** A bodyless answer (a CORS preflight's), its fields the caller's to add. */
  public static FullHttpResponse empty(HttpResponseStatus status, boolean close) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0).set("x-sluice-local", "1");
    if (close) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return response;
  }

  /** The body's bytes, as {@link #of} writes them. */
  public static int bodyBytes(HttpResponseStatus status, String sentence) {
    return text(status, sentence).getBytes(StandardCharsets.UTF_8).length;
  }

  private static String text(HttpResponseStatus status, String sentence) {
    return status.code() + " " + status.reasonPhrase() + ": " + sentence + "\n";
  }

  private LocalResponses() {}
}
