package dev.sluice.sidecar.downstream;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.config.Http2Limits;
import dev.sluice.sidecar.forward.LocalResponses;
import dev.sluice.sidecar.http2.FrameHandlers;
import dev.sluice.sidecar.http2.Http2Messages;
import dev.sluice.sidecar.http2.Refusal;
import dev.sluice.sidecar.http2.StreamFrames;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A downstream HTTP/2 connection at the frame layer: Netty's connection handler (state machine,
 * HPACK, flow control, errors) with our listener, and an {@link Http2DownstreamStream} per stream
 * the client opens, with no channel, pipeline or codec per stream. Event-loop confined.
 */
final class Http2Downstream implements ConnectionTimeouts.Ends {

  private final ListenerContext listener;
  private final ConnectionTimeouts timeouts;
  private final ClientRefusals refusals;
  private final int maxConcurrentStreams;
  private final PinnedResponseBytes pinned;
  private FrameHandlers.Handler handler;
  private ChannelHandlerContext context;
  private Http2Connection.PropertyKey streamKey;

  /** Streams served (an {@link Http2DownstreamStream} each) and not closed yet. */
  private int openStreams;

  @SuppressWarnings("NullAway.Init") // install() sets the rest: the handler needs this instance
  private Http2Downstream(ListenerContext listener, ConnectionTimeouts timeouts, Channel channel) {
    this.listener = listener;
    this.timeouts = timeouts;
    this.refusals = ClientRefusals.of(channel, listener.metrics());
    Http2Limits limits = listener.config().http2OrDefault();
    this.maxConcurrentStreams = limits.maxConcurrentStreams();
    this.pinned = new PinnedResponseBytes(this, limits.maxBufferedResponseBytes());
  }

  /** Adds the HTTP/2 server to {@code pipeline}; {@code settings} are the ones it advertises. */
  static void install(
      ChannelPipeline pipeline,
      ListenerContext listener,
      ConnectionTimeouts timeouts,
      Http2Settings settings) {
    Http2Downstream downstream = new Http2Downstream(listener, timeouts, pipeline.channel());
    Http2Limits limits = listener.config().http2OrDefault();
    downstream.handler =
        FrameHandlers.server(
            downstream.new Frames(),
            settings,
            limits.maxResetStreams(),
            (int) limits.resetWindow().toSeconds(),
            downstream.refusals);
    Http2Connection connection = downstream.handler.connection();
    downstream.streamKey = connection.newKey();
    connection.addListener(downstream.new Lifecycle());
    downstream
        .handler
        .encoder()
        .flowController()
        .listener(
            stream -> {
              Http2DownstreamStream s = downstream.stream(stream);
              if (s != null) {
                s.onWritabilityChanged();
              }
            });
    pipeline.addLast("h2-reads", new ReadWhileWritable(listener.metrics()));
    pipeline.addLast("h2", downstream.handler);
    downstream.context = pipeline.context(downstream.handler);
    pipeline.addLast("h2-tail", new Http2DownstreamTail());
    timeouts.protocol(downstream);
  }

  // ConnectionTimeouts.Ends

  /** The preface and SETTINGS did not arrive in time: GOAWAY saying so, then the close. */
  @Override
  public void headerReadTimedOut(String limit) {
    goAwayAndClose("no HTTP/2 preface and SETTINGS " + limit);
  }

  /** No stream open for the idle timeout: GOAWAY NO_ERROR, then the close (RFC 9113 6.8). */
  @Override
  public void idleTimedOut() {
    goAwayAndClose("");
  }

  /**
   * GOAWAY NO_ERROR naming the last stream the client opened (none is active), then the close once
   * it went out. The debug text says why, for whoever reads the client's logs.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // a failed GOAWAY write: the close follows anyway
  private void goAwayAndClose(String why) {
    ChannelHandlerContext ctx = context;
    ChannelPromise written = ctx.newPromise();
    handler.goAway(
        ctx,
        handler.connection().remote().lastStreamCreated(),
        Http2Error.NO_ERROR.code(),
        why.isEmpty() ? Unpooled.EMPTY_BUFFER : ByteBufUtil.writeUtf8(ctx.alloc(), why),
        written);
    written.addListener(f -> ctx.close());
    ctx.flush();
  }

  /**
   * The graceful close of RFC 9113 section 6.8 on a connection this class serves: GOAWAY naming the
   * largest stream id, then a round trip later the real last stream id; the connection closes once
   * its streams ended. False when {@code connection} is not an HTTP/2 one.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // a GOAWAY that fails: the connection is gone
  static boolean shutdown(Channel connection, long roundTripMillis) {
    FrameHandlers.Handler handler = connection.pipeline().get(FrameHandlers.Handler.class);
    if (handler == null) {
      return false;
    }
    ChannelHandlerContext ctx = connection.pipeline().context(handler);
    handler.goAway(
        ctx,
        Integer.MAX_VALUE,
        Http2Error.NO_ERROR.code(),
        Unpooled.EMPTY_BUFFER,
        ctx.newPromise());
    ctx.flush();
    ScheduledFuture<?> unused =
        connection
            .eventLoop()
            .schedule(
                () -> {
                  Http2Connection state = handler.connection();
                  // The real last stream: streams the client opened meanwhile are still served.
                  handler.goAway(
                      ctx,
                      state.remote().lastStreamCreated(),
                      Http2Error.NO_ERROR.code(),
                      Unpooled.EMPTY_BUFFER,
                      ctx.newPromise());
                  ctx.flush();
                  closeWhenIdle(connection, state);
                },
                roundTripMillis,
                TimeUnit.MILLISECONDS);
    return true;
  }

  /** Closes once no stream is active (at once if none is). */
  @SuppressWarnings("FutureReturnValueIgnored") // closing is the end: nothing waits for it
  private static void closeWhenIdle(Channel channel, Http2Connection connection) {
    if (connection.numActiveStreams() == 0) {
      channel.close();
      return;
    }
    connection.addListener(
        new Http2ConnectionAdapter() {
          @Override
          public void onStreamClosed(Http2Stream stream) {
            if (connection.numActiveStreams() == 0) {
              // after the stream's last frame is flushed
              channel.eventLoop().execute(channel::close);
            }
          }
        });
  }

  ListenerContext listener() {
    return listener;
  }

  Channel channel() {
    return context.channel();
  }

  ChannelHandlerContext context() {
    return context;
  }

  Http2ConnectionEncoder encoder() {
    return handler.encoder();
  }

  Http2Connection connection() {
    return handler.connection();
  }

  /** Counts and logs (once per connection) something of the client's refused. */
  void refused(Refusal refusal, String detail) {
    refusals.refused(refusal, detail);
  }

  /** What the connection's responses pin, and its cap. */
  PinnedResponseBytes pinned() {
    return pinned;
  }

  /** Each open stream that serves a request. Do not close streams from {@code action}. */
  void forEachStream(Consumer<Http2DownstreamStream> action) {
    try {
      handler
          .connection()
          .forEachActiveStream(
              stream -> {
                Http2DownstreamStream served = stream(stream);
                if (served != null) {
                  action.accept(served);
                }
                return true;
              });
    } catch (Http2Exception e) {
      throw new IllegalStateException(e); // the visitor throws none
    }
  }

  private @Nullable Http2DownstreamStream stream(@Nullable Http2Stream stream) {
    return stream == null ? null : stream.getProperty(streamKey);
  }

  /** Request frames to the stream they belong to (a new one for a new stream's HEADERS). */
  private final class Frames extends StreamFrames {
    private boolean settingsSeen;

    /** The client's first SETTINGS completes its preface: the header-read limit is met. */
    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
      if (!settingsSeen) {
        settingsSeen = true;
        timeouts.headReceived();
        if (handler.connection().numActiveStreams() == 0) {
          timeouts.idle();
        }
      }
    }

    @Override
    protected void onHeaders(
        ChannelHandlerContext ctx, int streamId, Http2Headers headers, boolean endOfStream)
        throws Http2Exception {
      Http2Stream stream = handler.connection().stream(streamId);
      if (stream == null) {
        return; // closed meanwhile (reset); Netty answers what needs answering
      }
      Http2DownstreamStream target = stream(stream);
      if (target == null) {
        if (openStreams >= maxConcurrentStreams) {
          refuseExcess(ctx, streamId);
          return;
        }
        String problem = Http2RequestHeads.malformed(headers);
        if (problem != null) {
          refuseMalformed(ctx, streamId, problem);
          return;
        }
        target = new Http2DownstreamStream(Http2Downstream.this, stream);
        stream.setProperty(streamKey, target);
        openStreams++;
      }
      target.onRequestObject(
          Http2Messages.inbound(true, streamId, headers, endOfStream, ctx.alloc()), 0);
    }

    @Override
    protected boolean serves(int streamId) {
      return stream(handler.connection().stream(streamId)) != null;
    }

    @Override
    protected void onContent(int streamId, HttpContent content, int bytes) {
      // serves(streamId) held: the stream is ours.
      requireNonNull(stream(handler.connection().stream(streamId))).onRequestObject(content, bytes);
    }
  }

  /**
   * A stream past the SETTINGS_MAX_CONCURRENT_STREAMS we advertised (RFC 9113 5.1.2): RST_STREAM
   * REFUSED_STREAM, which tells the client the request was not processed and may be retried; the
   * connection and its other streams go on.
   */
  private void refuseExcess(ChannelHandlerContext ctx, int streamId) {
    refusals.refused(
        Refusal.REFUSED_STREAM,
        "stream "
            + streamId
            + " refused: "
            + maxConcurrentStreams
            + " concurrent streams allowed (SETTINGS_MAX_CONCURRENT_STREAMS)");
    // A reset that cannot be written means the connection is gone, and the stream with it.
    ChannelFuture unused =
        handler
            .encoder()
            .writeRstStream(ctx, streamId, Http2Error.REFUSED_STREAM.code(), ctx.newPromise());
  }

  /**
   * A malformed request (RFC 9113 8.1.1): a 400 saying what is wrong, then RST_STREAM
   * PROTOCOL_ERROR, on that stream only. Nothing of it is read on or forwarded.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // the reset ends the stream whatever the writes do
  private void refuseMalformed(ChannelHandlerContext ctx, int streamId, String problem) {
    listener.metrics().rejected(HttpResponseStatus.BAD_REQUEST.code());
    refusals.refused(
        Refusal.MALFORMED_REQUEST, "stream " + streamId + ": malformed request: " + problem);
    FullHttpResponse answer =
        LocalResponses.of(ctx.alloc(), HttpResponseStatus.BAD_REQUEST, problem, false);
    Http2ConnectionEncoder encoder = handler.encoder();
    // The body goes only when the client's windows take it whole now. Queued behind a shut
    // window, it could be written after the reset (Netty writes the RST_STREAM at once and drops
    // what is queued only once that write completed): a frame on a closed stream, which RFC 9113
    // section 5.1 forbids. Without it the head does not promise one.
    boolean withBody = windowsTake(streamId, answer.content().readableBytes());
    if (!withBody) {
      answer.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
    }
    encoder.writeHeaders(
        ctx, streamId, Http2Messages.headerBlock(answer, null), 0, false, ctx.newPromise());
    if (withBody) {
      encoder.writeData(ctx, streamId, answer.content(), 0, false, ctx.newPromise());
    } else {
      answer.release();
    }
    ctx.channel().flush(); // the DATA, which the windows take whole, goes before the reset
    encoder.writeRstStream(ctx, streamId, Http2Error.PROTOCOL_ERROR.code(), ctx.newPromise());
    ctx.channel().flush();
  }

  /** True when the stream's and the connection's send windows both take {@code bytes} now. */
  private boolean windowsTake(int streamId, int bytes) {
    Http2Connection connection = handler.connection();
    Http2Stream stream = connection.stream(streamId);
    var flow = handler.encoder().flowController();
    return stream != null
        && flow.windowSize(stream) >= bytes
        && flow.windowSize(connection.connectionStream()) >= bytes;
  }

  /**
   * Streams opening and closing: the connection is busy while one is open, idle once none is; a
   * stream that closed (END_STREAM both ways, reset, or the connection went away) is told.
   */
  private final class Lifecycle extends Http2ConnectionAdapter {
    @Override
    public void onStreamActive(Http2Stream stream) {
      timeouts.busy();
    }

    @Override
    public void onStreamClosed(Http2Stream stream) {
      Http2DownstreamStream closed = stream(stream);
      if (closed != null) {
        openStreams--;
        FrameHandlers.Handler frames = handler;
        closed.onStreamClosed(frames == null ? null : frames.clientReset(stream));
      }
      if (handler.connection().numActiveStreams() == 0) {
        timeouts.idle();
      }
    }
  }
}
