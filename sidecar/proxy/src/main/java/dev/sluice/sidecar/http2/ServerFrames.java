package dev.sluice.sidecar.http2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * The server's frame listener in front of the application's: counts the streams the client resets
 * against {@link ResetBudget} (rapid reset: past it, GOAWAY ENHANCE_YOUR_CALM), marks them for
 * {@link ClosedStreams}, tells {@link InboundFrame} a HEADERS frame was handled, reports PING and
 * SETTINGS frames, and keeps Netty from refusing streams itself (see {@link FrameHandlers#server}).
 * Called only for frames Netty accepted.
 */
final class ServerFrames extends Http2FrameListenerDecorator {
  private final Http2Connection connection;
  private final ClosedStreams closed;
  private final InboundFrame inbound;
  private final ResetBudget clientResets;
  private final String limit;
  private final ServerEvents events;

  ServerFrames(
      Http2FrameListener listener,
      Http2Connection connection,
      ClosedStreams closed,
      InboundFrame inbound,
      ResetBudget clientResets,
      String limit,
      ServerEvents events) {
    super(listener);
    this.connection = connection;
    this.closed = closed;
    this.inbound = inbound;
    this.clientResets = clientResets;
    this.limit = limit;
    this.events = events;
  }

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx,
      int streamId,
      Http2Headers headers,
      int padding,
      boolean endOfStream)
      throws Http2Exception {
    inbound.handled();
    super.onHeadersRead(ctx, streamId, headers, padding, endOfStream);
  }

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx,
      int streamId,
      Http2Headers headers,
      int streamDependency,
      short weight,
      boolean exclusive,
      int padding,
      boolean endOfStream)
      throws Http2Exception {
    inbound.handled();
    super.onHeadersRead(
        ctx, streamId, headers, streamDependency, weight, exclusive, padding, endOfStream);
  }

  @Override
  public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode)
      throws Http2Exception {
    Http2Stream stream = connection.stream(streamId);
    // A reset crossing one of ours (a refused stream, say) is no choice of the client's.
    if (stream != null && !stream.isResetSent()) {
      closed.resetByClient(stream, errorCode);
      if (!clientResets.spend()) {
        throw new LimitExceeded(Refusal.RAPID_RESET, "the client reset more than " + limit);
      }
    }
    super.onRstStreamRead(ctx, streamId, errorCode);
  }

  @Override
  public void onSettingsAckRead(ChannelHandlerContext ctx) throws Http2Exception {
    super.onSettingsAckRead(ctx);
    // Netty has just applied our SETTINGS, SETTINGS_MAX_CONCURRENT_STREAMS to its own count too.
    FrameHandlers.openStreamLimit(connection);
  }

  @Override
  public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings)
      throws Http2Exception {
    events.controlFrame(false);
    super.onSettingsRead(ctx, settings);
  }

  @Override
  public void onPingRead(ChannelHandlerContext ctx, long data) throws Http2Exception {
    events.controlFrame(true);
    super.onPingRead(ctx, data);
  }
}
