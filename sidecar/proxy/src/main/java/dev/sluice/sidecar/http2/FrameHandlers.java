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
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

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
    // A client refuses a response without :status as a stream error (the upstream's, a 502). A
    // server checks request heads itself, to answer what is wrong before the reset.
    Builder builder =
        new Builder(connection(server), Handler::new)
            .listener(listener)
            .settings(settings)
            .requiredPseudoHeaders(!server);
    if (!server) {
      // Netty limits the RST_STREAM frames a server sends and receives (200 in 30 s, against
      // rapid and "made you" resets) and means to leave clients alone, but takes any handler
      // built on a connection of its own for a server. On a connection to an upstream the resets
      // the sidecar sends are its clients' cancellations and the streams it sheds: over the limit
      // it would close the connection itself, and every other client's stream on it.
      builder.withoutNettyResetLimits();
    }
    Handler handler = builder.build();
    handler.connectionWindow = connectionWindow;
    return handler;
  }

  /**
   * A server's connection handler hardened against its clients, reporting to {@code events} what it
   * refuses of them. Streams the client resets, and, counted apart, streams the server resets for
   * the client's errors, are limited to {@code maxResets} per {@code resetWindowSeconds} (Netty's
   * own reset limits are replaced: they count a stream refused for the concurrency limit as the
   * client's abuse). Streams past the advertised {@code SETTINGS_MAX_CONCURRENT_STREAMS} are not
   * refused by Netty but by {@code listener}, which gets their HEADERS like any other: Netty would
   * refuse them before it counts their ids as used, and the client's next frame on one (its body,
   * sent before it read the refusal) would then close the whole connection.
   */
  public static Handler server(
      Http2FrameListener listener,
      Http2Settings settings,
      int maxResets,
      int resetWindowSeconds,
      ServerEvents events) {
    Http2Connection connection = connection(true);
    ClosedStreams closed = new ClosedStreams(connection);
    connection.addListener(closed);
    InboundFrame inbound = new InboundFrame();
    long window = TimeUnit.SECONDS.toNanos(resetWindowSeconds);
    String limit = maxResets + " streams within " + resetWindowSeconds + "s";
    ServerFrames frames =
        new ServerFrames(
            listener,
            connection,
            closed,
            inbound,
            new ResetBudget(maxResets, window, System::nanoTime),
            limit,
            events);
    Handler handler =
        new Builder(
                connection,
                (decoder, encoder, initial) ->
                    new ServerHandler(
                        decoder,
                        new StreamErrorResets(
                            encoder, new ResetBudget(maxResets, window, System::nanoTime), limit),
                        initial,
                        inbound,
                        closed,
                        events))
            .listener(frames)
            .settings(settings)
            .requiredPseudoHeaders(false)
            .inboundFrames(inbound)
            .withoutNettyResetLimits()
            .build();
    openStreamLimit(connection);
    return handler;
  }

  /**
   * Lifts Netty's own count of the client's open streams (it follows our advertised limit): the
   * server's listener refuses the streams past it, after Netty opened them (see {@link #server}).
   * What a client can have open meanwhile stays bounded: a refused stream closes once its
   * RST_STREAM is written, and unwritten ones count against Netty's limit on queued control frames.
   */
  static void openStreamLimit(Http2Connection connection) {
    connection.remote().maxActiveStreams(Integer.MAX_VALUE);
  }

  private static Http2Connection connection(boolean server) {
    Http2Connection connection = new DefaultHttp2Connection(server);
    // Round-robin over streams with data: stream priorities are deprecated (RFC 9113 5.3) and
    // the weighted fair queue's priority tree cost about 2 % of a small request's CPU.
    connection
        .remote()
        .flowController(
            new DefaultHttp2RemoteFlowController(
                connection, new UniformStreamByteDistributor(connection)));
    return connection;
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
  public static class Handler extends Http2ConnectionHandler {
    private boolean windowOpened;
    private int connectionWindow = CONNECTION_WINDOW;

    Handler(
        Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
      super(decoder, encoder, settings);
    }

    /** The error code the client reset {@code stream} with; null when it did not (or no server). */
    public @Nullable Long clientReset(Http2Stream stream) {
      return null;
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

  /** Makes the handler from what the builder built. */
  private interface HandlerFactory {
    Handler make(
        Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings);
  }

  private static final class Builder
      extends AbstractHttp2ConnectionHandlerBuilder<Handler, Builder> {
    private final HandlerFactory factory;

    Builder(Http2Connection connection, HandlerFactory factory) {
      this.factory = factory;
      connection(connection);
    }

    Builder inboundFrames(InboundFrame inbound) {
      return frameLogger(inbound);
    }

    /**
     * Netty's reset limits off: on a server {@link ServerFrames} and {@link StreamErrorResets}
     * count; on a client connection the resets are the sidecar's own.
     */
    Builder withoutNettyResetLimits() {
      return decoderEnforceMaxRstFramesPerWindow(0, 0).encoderEnforceMaxRstFramesPerWindow(0, 0);
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

    @Override
    public Handler build() {
      return super.build();
    }

    @Override
    protected Handler build(
        Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
      return factory.make(decoder, encoder, settings);
    }
  }

  private FrameHandlers() {}
}
