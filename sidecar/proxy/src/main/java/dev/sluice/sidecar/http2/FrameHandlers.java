package dev.sluice.sidecar.http2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2LocalFlowController;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;

/**
 * Netty's HTTP/2 connection handler with a frame listener of ours, for both sides: streams are
 * served at the frame layer, with no channel, pipeline or codec per stream.
 */
public final class FrameHandlers {
  /**
   * A connection handler for a server ({@code server}) or a client, with a connection window of
   * {@link #CONNECTION_WINDOW}.
   */
  public static Handler handler(
      boolean server, Http2FrameListener listener, Http2Settings settings) {
    return handler(server, listener, settings, CONNECTION_WINDOW);
  }

  /**
   * A connection handler for a server ({@code server}) or a client that opens its connection-level
   * receive window to {@code connectionWindow} after the preface.
   */
  public static Handler handler(
      boolean server, Http2FrameListener listener, Http2Settings settings, int connectionWindow) {
    Http2Connection connection = new DefaultHttp2Connection(server);
    // Round-robin over streams with data: stream priorities are deprecated (RFC 9113 5.3) and
    // the weighted fair queue's priority tree cost about 2 % of a small request's CPU.
    connection
        .remote()
        .flowController(
            new DefaultHttp2RemoteFlowController(
                connection, new UniformStreamByteDistributor(connection)));
    // A client refuses a response without :status as a stream error (the upstream's, a 502). A
    // server checks request heads itself, to answer what is wrong before the reset.
    Builder builder =
        new Builder(connection)
            .listener(listener)
            .settings(settings)
            .requiredPseudoHeaders(!server);
    if (!server) {
      // Netty limits the RST_STREAM frames a server sends and receives (200 in 30 s, against
      // rapid and "made you" resets) and means to leave clients alone, but takes any handler
      // built on a connection of its own for a server. On a connection to an upstream the resets
      // the sidecar sends are its clients' cancellations and the streams it sheds: over the limit
      // it would close the connection itself, and every other client's stream on it.
      builder.withoutResetLimits();
    }
    Handler handler = builder.build();
    handler.connectionWindow = connectionWindow;
    return handler;
  }

  /**
   * The connection-level receive window (RFC 9113 6.9.2: SETTINGS cannot change it; a WINDOW_UPDATE
   * on stream 0 can). At the default 65,535 bytes a few concurrent uploads or downloads share one
   * 64 KiB window per round trip, whatever their stream windows; what a peer may have in flight
   * towards one connection stays bounded, by this. Client connections to upstreams open more (see
   * {@code Http2UpstreamConnection.CONNECTION_WINDOW}).
   */
  public static final int CONNECTION_WINDOW = 1 << 20;

  /** The connection handler: Netty's state machine, flow control, HPACK and error handling. */
  public static final class Handler extends Http2ConnectionHandler {
    private boolean windowOpened;
    private int connectionWindow = CONNECTION_WINDOW;

    Handler(
        Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
      super(decoder, encoder, settings);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
      super.handlerAdded(ctx); // sends the preface when the channel is already active
      if (ctx.channel().isActive()) {
        openConnectionWindow(ctx);
      }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      super.channelActive(ctx); // sends the preface
      openConnectionWindow(ctx);
    }

    /**
     * On a client connection, frames for a stream that no longer exists are ignored rather than
     * answered with RST_STREAM(STREAM_CLOSED): they are what was on its way when this side reset
     * the stream (RFC 9113 5.1: such frames are ignored), and Netty forgets a stream once its reset
     * is written. Answering doubled every cancellation on the wire, and servers count resets
     * against their rapid-reset limits.
     */
    @Override
    protected void onStreamError(
        ChannelHandlerContext ctx,
        boolean outbound,
        Throwable cause,
        Http2Exception.StreamException http2Ex) {
      if (!connection().isServer()
          && !outbound
          && http2Ex.error() == Http2Error.STREAM_CLOSED
          && connection().stream(http2Ex.streamId()) == null) {
        return;
      }
      super.onStreamError(ctx, outbound, cause, http2Ex);
    }

    /** After the preface: a WINDOW_UPDATE on stream 0 up to the connection window. */
    private void openConnectionWindow(ChannelHandlerContext ctx) throws Http2Exception {
      if (windowOpened) {
        return;
      }
      windowOpened = true;
      Http2Stream connectionStream = connection().connectionStream();
      Http2LocalFlowController flow = connection().local().flowController();
      int delta = connectionWindow - flow.windowSize(connectionStream);
      if (delta > 0) {
        flow.incrementWindowSize(connectionStream, delta);
        ctx.flush();
      }
    }
  }

  private static final class Builder
      extends AbstractHttp2ConnectionHandlerBuilder<Handler, Builder> {
    Builder(Http2Connection connection) {
      connection(connection);
    }

    Builder listener(Http2FrameListener listener) {
      return frameListener(listener);
    }

    Builder settings(Http2Settings settings) {
      return initialSettings(settings);
    }

    Builder requiredPseudoHeaders(boolean validate) {
      return validateRequiredPseudoHeaders(validate);
    }

    Builder withoutResetLimits() {
      return encoderEnforceMaxRstFramesPerWindow(0, 0).decoderEnforceMaxRstFramesPerWindow(0, 0);
    }

    @Override
    public Handler build() {
      return super.build();
    }

    @Override
    protected Handler build(
        Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
      return new Handler(decoder, encoder, settings);
    }
  }

  private FrameHandlers() {}
}
