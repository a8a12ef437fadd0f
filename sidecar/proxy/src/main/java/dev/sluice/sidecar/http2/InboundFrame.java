package dev.sluice.sidecar.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.logging.LogLevel;

/**
 * The inbound frame Netty's decoder is handling. Netty's frame reader reports each frame to its
 * frame logger after HPACK decoding and before the connection checks the stream's state, which
 * makes the logger the one place that sees the frame a stream error is about to be raised for. This
 * one logs nothing: it remembers the frame's type and stream, so the handler can tell a HEADERS
 * frame on a half-closed stream from a WINDOW_UPDATE on it (RFC 9113 section 5.1 answers them
 * differently, Netty the same). Outbound frames are ignored. Event-loop confined.
 */
final class InboundFrame extends Http2FrameLogger {
  private byte type = -1;
  private int streamId;

  InboundFrame() {
    super(LogLevel.TRACE, InboundFrame.class);
  }

  /** True while the decoder handles a HEADERS frame (its whole header block) of {@code stream}. */
  boolean isHeadersOf(int stream) {
    return type == Http2FrameTypes.HEADERS && streamId == stream;
  }

  /** The frame was handled, by the application or as an error: it is no longer current. */
  void handled() {
    type = -1;
    streamId = 0;
  }

  private void seen(Direction direction, byte frameType, int stream) {
    if (direction == Direction.INBOUND) {
      type = frameType;
      streamId = stream;
    }
  }

  @Override
  public boolean isEnabled() {
    return false;
  }

  @Override
  public void logData(
      Direction direction,
      ChannelHandlerContext ctx,
      int streamId,
      ByteBuf data,
      int padding,
      boolean endStream) {
    seen(direction, Http2FrameTypes.DATA, streamId);
  }

  @Override
  public void logHeaders(
      Direction direction,
      ChannelHandlerContext ctx,
      int streamId,
      Http2Headers headers,
      int padding,
      boolean endStream) {
    seen(direction, Http2FrameTypes.HEADERS, streamId);
  }

  @Override
  public void logHeaders(
      Direction direction,
      ChannelHandlerContext ctx,
      int streamId,
      Http2Headers headers,
      int streamDependency,
      short weight,
      boolean exclusive,
      int padding,
      boolean endStream) {
    seen(direction, Http2FrameTypes.HEADERS, streamId);
  }

  @Override
  public void logPriority(
      Direction direction,
      ChannelHandlerContext ctx,
      int streamId,
      int streamDependency,
      short weight,
      boolean exclusive) {
    seen(direction, Http2FrameTypes.PRIORITY, streamId);
  }

  @Override
  public void logRstStream(
      Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
    seen(direction, Http2FrameTypes.RST_STREAM, streamId);
  }

  @Override
  public void logSettingsAck(Direction direction, ChannelHandlerContext ctx) {
    seen(direction, Http2FrameTypes.SETTINGS, 0);
  }

  @Override
  public void logSettings(Direction direction, ChannelHandlerContext ctx, Http2Settings settings) {
    seen(direction, Http2FrameTypes.SETTINGS, 0);
  }

  @Override
  public void logPing(Direction direction, ChannelHandlerContext ctx, long data) {
    seen(direction, Http2FrameTypes.PING, 0);
  }

  @Override
  public void logPingAck(Direction direction, ChannelHandlerContext ctx, long data) {
    seen(direction, Http2FrameTypes.PING, 0);
  }

  @Override
  public void logPushPromise(
      Direction direction,
      ChannelHandlerContext ctx,
      int streamId,
      int promisedStreamId,
      Http2Headers headers,
      int padding) {
    seen(direction, Http2FrameTypes.PUSH_PROMISE, streamId);
  }

  @Override
  public void logGoAway(
      Direction direction,
      ChannelHandlerContext ctx,
      int lastStreamId,
      long errorCode,
      ByteBuf debugData) {
    seen(direction, Http2FrameTypes.GO_AWAY, 0);
  }

  @Override
  public void logWindowsUpdate(
      Direction direction, ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {
    seen(direction, Http2FrameTypes.WINDOW_UPDATE, streamId);
  }

  @Override
  public void logUnknownFrame(
      Direction direction,
      ChannelHandlerContext ctx,
      byte frameType,
      int streamId,
      Http2Flags flags,
      ByteBuf data) {
    seen(direction, frameType, streamId);
  }
}
