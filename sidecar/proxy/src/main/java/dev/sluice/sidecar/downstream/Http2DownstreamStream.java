package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.config.Durations;
import dev.sluice.sidecar.forward.Exchange;
import dev.sluice.sidecar.forward.LocalResponses;
import dev.sluice.sidecar.http2.Http2Messages;
import dev.sluice.sidecar.http2.QueuedBytes;
import dev.sluice.sidecar.http2.Refusal;
import dev.sluice.sidecar.http2.StreamInbound;
import dev.sluice.sidecar.http2.WaitingContent;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client stream of an {@link Http2Downstream} connection, as an exchange sees it. Request
 * objects queue until the exchange asks for them, and their bytes go back to the client's window
 * only then; response objects are framed as Netty's stream codec frames them. What the stream pins
 * (response bytes queued towards the client, and held upstream for it) counts towards its
 * connection's cap (over it the fullest streams are reset, {@link #shed}), and bytes waiting with
 * none leaving towards its listener's stalled-write timeout (then it is reset, {@link #stalled}).
 * Event-loop confined.
 */
final class Http2DownstreamStream
    implements ConnectionSide, StreamInbound.Reader, WriteStall.Output {
  private static final Logger log = LoggerFactory.getLogger(Http2DownstreamStream.class);

  private final Http2Downstream connection;
  private final Http2Stream stream;

  /**
   * The head waits in the inbox until the connection's current read is over (see the constructor).
   */
  private final StreamInbound inbound = new StreamInbound(this, false);

  private final QueuedBytes queued = new QueuedBytes(this::onWritabilityChanged, this::onQueued);
  private @Nullable Exchange current;
  private @Nullable WriteStall stall;
  private long leftSeen;
  private boolean headSeen;
  private boolean closed;

  /** Response bytes this stream pins in the sidecar (kept by {@link PinnedResponseBytes}). */
  private long pinned;

  /** Reset by the sidecar to give back what it held. */
  private boolean shedding;

  /**
   * The request starts once the frames read with its HEADERS were all handled: the loop runs the
   * task after the read. A stream the client reset in the same read (rapid reset, CVE-2023-44487)
   * is closed by then, never reaches the routing and never the upstream; one reset later is
   * cancelled upstream at once (the exchange's end resets the upstream stream).
   */
  Http2DownstreamStream(Http2Downstream connection, Http2Stream stream) {
    this.connection = connection;
    this.stream = stream;
    connection.channel().eventLoop().execute(this::readRequest);
  }

  void onRequestObject(HttpObject msg, int bytes) {
    if (closed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    inbound.offer(msg, bytes);
  }

  @Override
  public void readRequest() {
    inbound.request();
  }

  @Override
  public boolean accepting() {
    return !closed;
  }

  @Override
  public void deliver(HttpObject msg) {
    handle(msg);
  }

  private void handle(HttpObject msg) {
    if (msg instanceof HttpRequest request) {
      try {
        if (current != null || headSeen) {
          respond(
              HttpResponseStatus.BAD_REQUEST,
              "a new request arrived before the previous one ended",
              true,
              false);
          return;
        }
        headSeen = true;
        current = RequestHeads.start(connection.listener(), this, request, this::respond);
      } finally {
        // A full request head (END_STREAM on HEADERS) owns an empty buffer.
        ReferenceCountUtil.release(msg);
      }
    } else if (msg instanceof HttpContent content) {
      RequestHeads.content(current, content, this::readRequest);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  /** A local answer; {@code close}: the rest of the request is not wanted (reset NO_ERROR). */
  private void respond(
      HttpResponseStatus status, String sentence, boolean close, boolean bodyPending) {
    log.debug("local {}: {}", status.code(), sentence);
    ChannelFuture write = write(LocalResponses.of(alloc(), status, sentence, false));
    if (close) {
      write.addListener(f -> reset(Http2Error.NO_ERROR));
    } else {
      readRequest();
    }
  }

  @Override
  public void consume(int bytes) {
    if (bytes > 0 && !closed) {
      try {
        if (connection.connection().local().flowController().consumeBytes(stream, bytes)) {
          connection.channel().flush(); // the WINDOW_UPDATE it wrote
        }
      } catch (Http2Exception e) {
        connection.channel().pipeline().fireExceptionCaught(e);
      }
    }
  }

  /** The response bytes queued towards the client changed ({@link QueuedBytes.Changes}). */
  private void onQueued(int delta, boolean sent) {
    connection.pinned().changed(this, delta);
  }

  void pin(int delta) {
    pinned += delta;
  }

  long pinned() {
    return pinned;
  }

  long queuedBytes() {
    return queued.queuedBytes();
  }

  boolean shedding() {
    return shedding;
  }

  /**
   * Resets the stream with ENHANCE_YOUR_CALM to give back what it holds ({@code reason}: the
   * metric's), and closes it at once rather than when the RST_STREAM is written: its queued bytes
   * and its exchange go now, even when the client does not read its socket.
   */
  void shed() {
    if (closed || shedding) {
      return;
    }
    shedding = true;
    connection.refused(
        Refusal.PINNED_BYTES,
        "stream " + stream.id() + " reset, holding " + pinned + " response bytes");
    ChannelHandlerContext ctx = connection.context();
    // A reset that cannot be written means the connection is gone, and the stream with it.
    ChannelFuture unused =
        connection
            .encoder()
            .writeRstStream(
                ctx, stream.id(), Http2Error.ENHANCE_YOUR_CALM.code(), ctx.newPromise());
    ctx.flush();
    if (stream.state() != Http2Stream.State.CLOSED) {
      stream.close(); // Netty closes it again once the reset is written: that does nothing
    }
  }

  void onWritabilityChanged() {
    if (current != null && isWritable()) {
      current.onDownstreamWritable();
    }
  }

  /**
   * The stream closed: both ends done, reset by the client ({@code clientReset}: its error code),
   * or the connection went away.
   */
  void onStreamClosed(@Nullable Long clientReset) {
    closed = true;
    if (stall != null) {
      stall.cancel();
    }
    inbound.releaseAll();
    Exchange exchange = current;
    current = null;
    if (exchange != null) {
      if (clientReset != null) {
        exchange.onDownstreamReset(clientReset);
      } else {
        exchange.onDownstreamClosed();
      }
    }
  }

  private void reset(Http2Error error) {
    if (closed || stream.state() == Http2Stream.State.CLOSED) {
      return;
    }
    ChannelHandlerContext ctx = connection.context();
    // A reset that cannot be written means the connection is gone, and the stream with it.
    ChannelFuture unused =
        connection.encoder().writeRstStream(ctx, stream.id(), error.code(), ctx.newPromise());
    ctx.flush();
  }

  // DownstreamSide

  @Override
  public Channel connectionChannel() {
    return connection.channel();
  }

  @Override
  public ListenerContext listenerContext() {
    return connection.listener();
  }

  @Override
  public ChannelFuture write(HttpObject msg) {
    ChannelHandlerContext ctx = connection.context();
    ChannelPromise promise = ctx.newPromise();
    if (closed) {
      ReferenceCountUtil.release(msg);
      return promise.setFailure(new IOException("the client stream is closed"));
    }
    HttpObject out =
        msg instanceof HttpContent content && content.content().readableBytes() > responseWindow()
            ? WaitingContent.own(content, alloc()) // it waits for the client's window
            : msg;
    Http2Messages.write(connection.encoder(), ctx, stream.id(), out, null, queued, promise);
    connection.channel().flush();
    if (queued.queuedBytes() > 0) {
      watchStall();
    }
    return promise;
  }

  /**
   * Response bytes wait (for the stream's or the connection's window, or the socket): once they
   * waited the listener's stalled-write timeout with none leaving, the stream is reset with CANCEL.
   * Resetting the one stream rather than the connection spares the client's other streams; a socket
   * that takes nothing at all closes the whole connection ({@link ConnectionTimeouts}).
   */
  private void watchStall() {
    WriteStall watch = stall;
    if (watch == null) {
      watch =
          new WriteStall(
              this,
              connection.listener().config().limits().stalledWriteTimeout().toNanos(),
              connection.channel().eventLoop(),
              this::stalled);
      stall = watch;
    }
    watch.watch();
  }

  // WriteStall.Output

  @Override
  public boolean waiting() {
    return !closed && queued.queuedBytes() > 0;
  }

  /**
   * Bytes of this stream left, or the socket itself is backed up: then the connection's own watch
   * judges the client ({@link ConnectionTimeouts}), and a stream waiting behind it is not cut.
   */
  @Override
  public boolean moved() {
    long left = queued.leftBytes();
    boolean moved = left != leftSeen || !connection.channel().isWritable();
    leftSeen = left;
    return moved;
  }

  private void stalled() {
    ListenerContext listener = connection.listener();
    listener.metrics().downstreamTimeout(listener.config().name(), "stalled_write");
    log.debug(
        "{} stream {}: {} response bytes waited {} for the client's window; reset",
        connection.channel(),
        stream.id(),
        queued.queuedBytes(),
        Durations.format(listener.config().limits().stalledWriteTimeout()));
    reset(Http2Error.CANCEL);
  }

  /**
   * While response bytes are queued, only while the client's window takes more: what the client
   * does not let go waits upstream, unread, and holds the upstream to its window.
   */
  @Override
  public boolean isWritable() {
    return !closed
        && queued.writable(
            connection.channel().isWritable(),
            connection.encoder().flowController().isWritable(stream));
  }

  @Override
  public boolean http2() {
    return true;
  }

  @Override
  public int responseWindow() {
    if (closed) {
      return 0;
    }
    Http2RemoteFlowController flow = connection.encoder().flowController();
    return Math.min(
        flow.windowSize(stream), flow.windowSize(connection.connection().connectionStream()));
  }

  @Override
  public void responseBytesHeld(int delta) {
    connection.pinned().changed(this, delta);
  }

  @Override
  public void exchangeFinished(boolean requestComplete, boolean keepAlive) {
    current = null;
    if (!requestComplete) {
      // The answer is complete; tell the client to stop sending the rest (RFC 9113 8.1).
      reset(Http2Error.NO_ERROR);
    }
  }

  @Override
  public void abort() {
    current = null;
    reset(Http2Error.INTERNAL_ERROR);
  }

  @Override
  public void cancel() {
    current = null;
    reset(Http2Error.CANCEL);
  }
}
