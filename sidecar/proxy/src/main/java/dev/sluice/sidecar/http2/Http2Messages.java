package dev.sluice.sidecar.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * HttpObjects to and from HTTP/2 frames of one stream, exactly as Netty's {@code
 * Http2StreamFrameToHttpObjectCodec} converts them, without a stream channel and a codec per
 * stream. Stream ends, both ways: a full message without body or trailers ends on HEADERS; a last
 * content ends on its DATA frame, on an empty DATA frame when it has neither bytes nor trailers, or
 * on the trailers (DATA first when it has bytes). 100 Continue is HEADERS that do not end.
 */
public final class Http2Messages {
  /**
   * No second validation of header names and values: what arrives over HTTP/2 was validated by the
   * HPACK decoder (names and values, RFC 9113 8.2.1), what arrives over HTTP/1.1 by the HTTP/1.1
   * decoder, names added by configuration at load time, and values taken from an offload agent by
   * {@code VariableActions}. Validating again on every conversion cost about 7 % of the CPU of a
   * small HTTP/2 request.
   */
  private static final boolean VALIDATE = false;

  /** What a HEADERS frame is: a message head (full when it ends the stream) or trailers. */
  public static HttpObject inbound(
      boolean server, int streamId, Http2Headers headers, boolean endStream, ByteBufAllocator alloc)
      throws Http2Exception {
    CharSequence status = headers.status();
    if (status != null && HttpResponseStatus.CONTINUE.codeAsText().contentEquals(status)) {
      return full(server, streamId, headers, alloc);
    }
    if (endStream) {
      if (headers.method() == null && status == null) {
        LastHttpContent last =
            new DefaultLastHttpContent(
                Unpooled.EMPTY_BUFFER,
                DefaultHttpHeadersFactory.trailersFactory().withValidation(true));
        HttpConversionUtil.addHttp2ToHttpHeaders(
            streamId, headers, last.trailingHeaders(), HttpVersion.HTTP_1_1, true, true);
        return last;
      }
      return full(server, streamId, headers, alloc);
    }
    HttpMessage message = Heads.inbound(server, streamId, headers, false, alloc);
    // An Http2Head marks itself (when its fields are converted); Netty's conversion does not.
    if (!(message instanceof Http2Head) && !HttpUtil.isContentLengthSet(message)) {
      message.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    return message;
  }

  private static FullHttpMessage full(
      boolean server, int streamId, Http2Headers headers, ByteBufAllocator alloc)
      throws Http2Exception {
    return (FullHttpMessage) Heads.inbound(server, streamId, headers, true, alloc);
  }

  /**
   * Writes {@code msg} (ownership passes) as the frames of stream {@code streamId}; {@code promise}
   * completes with the last of them. {@code scheme}: for request heads, the {@code :scheme} to
   * send. {@code dataWrites} is told of every DATA frame with its promise (queued bytes).
   */
  @SuppressWarnings("FutureReturnValueIgnored") // the frames report through promise
  public static void write(
      Http2ConnectionEncoder encoder,
      ChannelHandlerContext ctx,
      int streamId,
      HttpObject msg,
      @Nullable String scheme,
      DataWrites dataWrites,
      ChannelPromise promise) {
    boolean frames = false;
    if (msg instanceof HttpResponse response
        && response.status().equals(HttpResponseStatus.CONTINUE)) {
      encoder.writeHeaders(ctx, streamId, headerBlock(response, null), 0, false, promise);
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpMessage head) {
      boolean noMoreFrames =
          msg instanceof FullHttpMessage full
              && !full.content().isReadable()
              && full.trailingHeaders().isEmpty();
      Http2Headers headers = headerBlock(head, scheme);
      boolean last = noMoreFrames || !(msg instanceof HttpContent);
      encoder.writeHeaders(
          ctx, streamId, headers, 0, noMoreFrames, last ? promise : ctx.newPromise());
      frames = true;
      if (last) {
        ReferenceCountUtil.release(msg);
        return;
      }
    }
    if (msg instanceof LastHttpContent last) {
      boolean trailers = !last.trailingHeaders().isEmpty();
      boolean filler = !(last instanceof FullHttpMessage) && !trailers;
      if (last.content().isReadable() || filler) {
        ChannelPromise data = trailers ? ctx.newPromise() : promise;
        encoder.writeData(
            ctx, streamId, last.content(), 0, !trailers, dataWrites.queued(data, last.content()));
      } else {
        last.content().release();
      }
      if (trailers) {
        encoder.writeHeaders(
            ctx,
            streamId,
            HttpConversionUtil.toHttp2Headers(last.trailingHeaders(), VALIDATE),
            0,
            true,
            promise);
      }
    } else if (msg instanceof HttpContent content) {
      encoder.writeData(
          ctx,
          streamId,
          content.content(),
          0,
          false,
          dataWrites.queued(promise, content.content()));
    } else if (!frames) {
      ReferenceCountUtil.release(msg);
      promise.setSuccess();
    }
  }

  /**
   * The header block that {@link #write} sends for {@code head}; {@code scheme}: the {@code
   * :scheme} of a request.
   */
  public static Http2Headers headerBlock(HttpMessage head, @Nullable String scheme) {
    if (head instanceof WireHead wire) {
      Http2Headers block = wire.block();
      if (scheme != null && head instanceof HttpRequest) {
        block.scheme(scheme);
      }
      return block;
    }
    return Heads.outbound(head, scheme);
  }

  /**
   * True when a {@code te} field value lists {@code trailers}, the one transfer coding HTTP/2
   * allows a request to name (RFC 9113 8.2.2).
   */
  public static boolean acceptsTrailers(CharSequence te) {
    for (String token : te.toString().split(",", -1)) {
      int parameters = token.indexOf(';');
      String coding = (parameters < 0 ? token : token.substring(0, parameters)).trim();
      if (HttpHeaderValues.TRAILERS.contentEqualsIgnoreCase(coding)) {
        return true;
      }
    }
    return false;
  }

  /** Told of each DATA frame written: may track the bytes until the promise completes. */
  public interface DataWrites {
    ChannelPromise queued(ChannelPromise promise, ByteBuf data);
  }

  private Http2Messages() {}
}
