package dev.sluice.sidecar.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * A frame listener that hands a stream's HEADERS and DATA on as HttpObjects. DATA payloads are
 * retained into contents whose window is given back only when whoever takes them consumes them
 * (backpressure); DATA for a stream nobody serves is given back at once. A DATA frame that ends the
 * stream has no trailers: its last content's are empty and immutable (trailers come as HEADERS).
 */
public abstract class StreamFrames extends Http2FrameAdapter {
  /** HEADERS of a stream (head or trailers). */
  protected abstract void onHeaders(
      ChannelHandlerContext ctx, int streamId, Http2Headers headers, boolean endOfStream)
      throws Http2Exception;

  /** True when someone serves {@code streamId} (its DATA is then handed on). */
  protected abstract boolean serves(int streamId);

  /** A DATA payload as content ({@code bytes} to consume once it is taken). */
  protected abstract void onContent(int streamId, HttpContent content, int bytes);

  @Override
  public final void onHeadersRead(
      ChannelHandlerContext ctx,
      int streamId,
      Http2Headers headers,
      int streamDependency,
      short weight,
      boolean exclusive,
      int padding,
      boolean endOfStream)
      throws Http2Exception {
    onHeaders(ctx, streamId, headers, endOfStream);
  }

  @Override
  public final void onHeadersRead(
      ChannelHandlerContext ctx,
      int streamId,
      Http2Headers headers,
      int padding,
      boolean endOfStream)
      throws Http2Exception {
    onHeaders(ctx, streamId, headers, endOfStream);
  }

  @Override
  public final int onDataRead(
      ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
    int bytes = data.readableBytes();
    if (!serves(streamId)) {
      return bytes + padding;
    }
    onContent(
        streamId,
        endOfStream
            ? new DefaultLastHttpContent(data.retain(), EmptyHttpHeaders.INSTANCE)
            : new DefaultHttpContent(data.retain()),
        bytes);
    return padding;
  }
}
