package dev.sluice.sidecar.upstream;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * HTTP/2 header blocks to and from Netty's HttpObjects for the upstream side, exactly as Netty's
 * {@code Http2StreamFrameToHttpObjectCodec} converts them on a client stream, without a stream
 * channel and its codec per request.
 */
final class Http2Messages {
  /** The HEADERS of a request head (with {@code :scheme}). */
  static Http2Headers requestHeaders(HttpMessage head, boolean tls) {
    head.headers()
        .set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), tls ? "https" : "http");
    return HttpConversionUtil.toHttp2Headers(head, true);
  }

  /** The HEADERS of trailers. */
  static Http2Headers trailers(LastHttpContent last) {
    return HttpConversionUtil.toHttp2Headers(last.trailingHeaders(), true);
  }

  /**
   * What a HEADERS frame of a response stream is: the head (a full response when it ends the
   * stream, and for 100 Continue), or the trailers (a last content).
   */
  static HttpObject responseObject(
      int streamId, Http2Headers headers, boolean endStream, ByteBufAllocator alloc)
      throws Http2Exception {
    CharSequence status = headers.status();
    if (status != null && HttpResponseStatus.CONTINUE.codeAsText().contentEquals(status)) {
      return HttpConversionUtil.toFullHttpResponse(streamId, headers, alloc, true);
    }
    if (endStream) {
      if (status == null) {
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, true);
        HttpConversionUtil.addHttp2ToHttpHeaders(
            streamId, headers, last.trailingHeaders(), HttpVersion.HTTP_1_1, true, true);
        return last;
      }
      return HttpConversionUtil.toFullHttpResponse(streamId, headers, alloc, true);
    }
    HttpResponse response = HttpConversionUtil.toHttpResponse(streamId, headers, true);
    if (!HttpUtil.isContentLengthSet(response)) {
      response.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    return response;
  }

  private Http2Messages() {}
}
