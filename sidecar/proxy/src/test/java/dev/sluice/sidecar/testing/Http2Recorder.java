package dev.sluice.sidecar.testing;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * HTTP/2 side of {@link RecordingUpstream}, at frame level: it answers a stream only once the
 * stream's END_STREAM arrived, so a lost END_STREAM shows up as a hang (the HAProxy #2665 bug).
 */
public final class Http2Recorder extends ChannelInboundHandlerAdapter {
  /** Request header asking the recorder to end its response with trailers. */
  static final String RESPOND_WITH_TRAILERS = RecordingUpstream.RESPOND_WITH_TRAILERS;

  /**
   * Flow-control behaviour of the recorder.
   *
   * @param initialWindow SETTINGS_INITIAL_WINDOW_SIZE announced at connection start
   * @param windowUpdates send WINDOW_UPDATE for consumed DATA (false: never, windows stay spent)
   * @param changeAfterBytes after this many body bytes of a stream, announce {@code newWindow}
   *     (negative: never)
   * @param newWindow the SETTINGS_INITIAL_WINDOW_SIZE announced mid-upload
   */
  public record FlowControl(
      int initialWindow, boolean windowUpdates, long changeAfterBytes, int newWindow) {
    public static final FlowControl DEFAULT = new FlowControl(65535, true, -1, 0);
  }

  /** Serve one stream per connection: GOAWAY right after its HEADERS, close after answering. */
  private boolean oneStreamPerConnection;

  /** One-stream mode: the first stream's id, whether GOAWAY went out, its held response. */
  private int firstStream;

  private boolean goAwaySent;
  private Runnable heldResponse;

  private final Function<String, ReceivedRequest> records;
  private final FlowControl flow;
  private final Map<Integer, ReceivedRequest> streams = new HashMap<>();
  private boolean settingsChanged;

  private Http2Recorder(Function<String, ReceivedRequest> records, FlowControl flow) {
    this.records = records;
    this.flow = flow;
  }

  static void install(Channel ch, Function<String, ReceivedRequest> records) {
    install(ch, records, FlowControl.DEFAULT);
  }

  static void installOneStreamPerConnection(Channel ch, Function<String, ReceivedRequest> records) {
    install(ch, records, FlowControl.DEFAULT);
    ch.pipeline().get(Http2Recorder.class).oneStreamPerConnection = true;
  }

  static void install(Channel ch, Function<String, ReceivedRequest> records, FlowControl flow) {
    Http2Recorder recorder = new Http2Recorder(records, flow);
    ch.pipeline()
        .addLast(
            Http2FrameCodecBuilder.forServer()
                .initialSettings(
                    io.netty.handler.codec.http2.Http2Settings.defaultSettings()
                        .initialWindowSize(flow.initialWindow()))
                .frameLogger(recorder.new ResetLog())
                .build())
        .addLast(recorder);
  }

  /**
   * Sees every RST_STREAM as it comes off the wire, also for streams already closed (the codec
   * drops those silently; servers like nghttpd count them against rapid-reset limits).
   */
  private final class ResetLog extends io.netty.handler.codec.http2.Http2FrameLogger {
    ResetLog() {
      super(io.netty.handler.logging.LogLevel.TRACE, Http2Recorder.class);
    }

    @Override
    public void logRstStream(
        Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
      ReceivedRequest request = direction == Direction.INBOUND ? streams.get(streamId) : null;
      if (request != null) {
        request.frame("RST_STREAM", 0, false);
      }
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof io.netty.handler.codec.http2.Http2SettingsAckFrame && settingsChanged) {
        reopenWindowsAfterShrink(ctx);
      } else if (msg instanceof Http2HeadersFrame headers) {
        onHeaders(ctx, headers);
      } else if (msg instanceof Http2DataFrame data) {
        onData(ctx, data);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /**
   * A receiver that shrinks SETTINGS_INITIAL_WINDOW_SIZE leaves open streams with a negative window
   * (RFC 9113 6.9.2); the sender then waits for WINDOW_UPDATE, so a correct receiver that still
   * wants the data reopens the windows. Netty's local flow controller does not on its own.
   */
  private void reopenWindowsAfterShrink(ChannelHandlerContext ctx) {
    int delta = flow.initialWindow() - flow.newWindow();
    if (delta <= 0) {
      return;
    }
    io.netty.handler.codec.http2.Http2FrameCodec codec =
        ctx.pipeline().get(io.netty.handler.codec.http2.Http2FrameCodec.class);
    try {
      for (int id : streams.keySet()) {
        io.netty.handler.codec.http2.Http2Stream stream = codec.connection().stream(id);
        if (stream != null && stream.state().remoteSideOpen()) {
          codec.connection().local().flowController().incrementWindowSize(stream, delta);
        }
      }
    } catch (io.netty.handler.codec.http2.Http2Exception e) {
      throw new IllegalStateException(e);
    }
    ctx.flush();
  }

  private void onHeaders(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
    int id = frame.stream().id();
    ReceivedRequest request = streams.get(id);
    if (request == null) {
      CharSequence testId = frame.headers().get(RecordingUpstream.TEST_ID);
      request = records.apply(testId == null ? null : testId.toString());
      streams.put(id, request);
      ReceivedRequest r = request;
      frame.headers().forEach(e -> r.header(e.getKey().toString(), e.getValue().toString()));
      request.frame("HEADERS", 0, frame.isEndStream());
      if (oneStreamPerConnection && streams.size() == 1) {
        // Processed: this one. GOAWAY waits for a second stream, so that one (and every later
        // one) is certainly refused, whatever the timing; at most 2 s.
        firstStream = id;
        ctx.executor().schedule(() -> goAway(ctx), 2, java.util.concurrent.TimeUnit.SECONDS);
      } else if (oneStreamPerConnection && streams.size() == 2) {
        goAway(ctx);
      }
    } else {
      frame
          .headers()
          .forEach(e -> streams.get(id).header("trailer-" + e.getKey(), e.getValue().toString()));
      request.frame("TRAILERS", 0, frame.isEndStream());
    }
    if (frame.isEndStream()) {
      respondOrHold(ctx, frame.stream(), request);
    }
  }

  private void onData(ChannelHandlerContext ctx, Http2DataFrame frame) {
    ReceivedRequest request = streams.get(frame.stream().id());
    request.body(ByteBufUtil.getBytes(frame.content()));
    request.frame("DATA", frame.content().readableBytes(), frame.isEndStream());
    if (frame.initialFlowControlledBytes() > 0 && flow.windowUpdates()) {
      ctx.writeAndFlush(
          new DefaultHttp2WindowUpdateFrame(frame.initialFlowControlledBytes())
              .stream(frame.stream()));
    }
    if (!settingsChanged
        && flow.changeAfterBytes() >= 0
        && request.bytes() >= flow.changeAfterBytes()) {
      settingsChanged = true;
      ctx.writeAndFlush(
          new io.netty.handler.codec.http2.DefaultHttp2SettingsFrame(
              io.netty.handler.codec.http2.Http2Settings.defaultSettings()
                  .initialWindowSize(flow.newWindow())));
    }
    if (frame.isEndStream()) {
      respondOrHold(ctx, frame.stream(), request);
    }
  }

  /** Last stream id = the first: every stream after it goes unprocessed. */
  private void goAway(ChannelHandlerContext ctx) {
    if (goAwaySent || !ctx.channel().isActive()) {
      return;
    }
    goAwaySent = true;
    io.netty.handler.codec.http2.Http2FrameCodec codec =
        ctx.pipeline().get(io.netty.handler.codec.http2.Http2FrameCodec.class);
    ChannelHandlerContext codecCtx = ctx.pipeline().context(codec);
    codec.goAway(codecCtx, firstStream, 0, Unpooled.EMPTY_BUFFER, codecCtx.newPromise());
    ctx.flush();
    Runnable held = heldResponse;
    heldResponse = null;
    if (held != null) {
      held.run();
    }
  }

  private void respondOrHold(
      ChannelHandlerContext ctx,
      io.netty.handler.codec.http2.Http2FrameStream stream,
      ReceivedRequest request) {
    if (oneStreamPerConnection && !goAwaySent) {
      heldResponse = () -> respond(ctx, stream, request);
      return;
    }
    respond(ctx, stream, request);
  }

  private void respond(
      ChannelHandlerContext ctx, Http2FrameStream stream, ReceivedRequest request) {
    byte[] body = (request.sha256Hex() + "\n").getBytes(StandardCharsets.US_ASCII);
    Http2Headers headers =
        new DefaultHttp2Headers()
            .status("200")
            .setInt("content-length", body.length)
            .set("x-received-bytes", Long.toString(request.bytes()))
            .set("x-ended-on", String.valueOf(request.endedOn()));
    boolean trailers = request.header(RESPOND_WITH_TRAILERS) != null;
    if (trailers) {
      headers.remove("content-length");
    }
    ctx.write(new DefaultHttp2HeadersFrame(headers).stream(stream));
    ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), !trailers).stream(stream));
    if (trailers) {
      ctx.write(
          new DefaultHttp2HeadersFrame(
                  new DefaultHttp2Headers().set("x-request-sha256", request.sha256Hex()), true)
              .stream(stream));
    }
    ctx.flush();
    if (oneStreamPerConnection) {
      ctx.channel()
          .eventLoop()
          .schedule(() -> ctx.close(), 50, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }
}
