package dev.sluice.sidecar.upstream;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.http2.Http2Messages;
import dev.sluice.sidecar.http2.QueuedBytes;
import dev.sluice.sidecar.http2.StreamInbound;
import dev.sluice.sidecar.http2.WaitingContent;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2LocalFlowController;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * One request/response exchange on a stream of an {@link Http2UpstreamConnection}, at the frame
 * layer. The request head opens the stream (HEADERS, with END_STREAM when nothing follows); body
 * contents become DATA frames, the last one with END_STREAM, or followed by trailers that carry it:
 * as Netty's stream codec frames them, so each stream ends exactly once. Response objects queue
 * until the exchange reads them; their bytes go back to the flow-control window only then, so what
 * the stream holds unread is at most its window: {@link Http2UpstreamConnection#READ_AHEAD}, or up
 * to {@link Http2UpstreamConnection#STREAM_WINDOW} once the exchange said its client has that much
 * window open ({@link #readAhead}). The exchange is told how much it holds. Event-loop confined.
 */
final class Http2StreamLease implements UpstreamLease, StreamInbound.Reader {
  private final Http2UpstreamConnection connection;
  private final StreamInbound inbound = new StreamInbound(this, false);
  private @Nullable Http2Stream stream;
  private @Nullable UpstreamExchange exchange;
  private boolean released;
  private boolean ended;

  /** The upstream's END_STREAM arrived (the stream closes once ours went out too). */
  private boolean remoteEnded;

  /** The stream closed; what the exchange is told once it has read what came before. */
  private @Nullable IOException closeCause;

  private boolean closed;
  private long resetCode = -1;
  private final QueuedBytes queued = new QueuedBytes(this::onWritabilityChanged);

  /** The exchange told of the bytes held (the one bound last; kept after release until zero). */
  private @Nullable UpstreamExchange holder;

  /** The bytes {@link #holder} was told the inbox holds. */
  private int reportedHeld;

  /** The stream window the exchange asked for, granted at the first read of body bytes; 0: none. */
  private int readAhead;

  Http2StreamLease(Http2UpstreamConnection connection) {
    this.connection = connection;
  }

  @Override
  public ChannelFuture write(HttpObject msg) {
    ChannelHandlerContext ctx = connection.context();
    ChannelPromise promise = ctx.newPromise();
    if (released || closed) {
      ReferenceCountUtil.release(msg);
      return promise.setFailure(
          closeCause != null ? closeCause : new IOException("the upstream stream is over"));
    }
    Http2ConnectionEncoder encoder = connection.encoder();
    String scheme = connection.tls() ? "https" : "http";
    if (msg instanceof HttpMessage) {
      if (stream != null) {
        ReferenceCountUtil.release(msg);
        return promise.setFailure(new IllegalStateException("a second request head"));
      }
      if (connection.connection().goAwayReceived()) {
        ReferenceCountUtil.release(msg);
        return promise.setFailure(
            new StreamRefusedException(
                "the upstream connection received GOAWAY before the stream opened"));
      }
      int id = connection.connection().local().incrementAndGetNextStreamId();
      Http2Messages.write(encoder, ctx, id, msg, scheme, queued, promise);
      stream = connection.connection().stream(id);
      if (stream == null) {
        connection.flush();
        return promise.isDone() && !promise.isSuccess()
            ? ctx.newFailedFuture(
                new StreamRefusedException(
                    "the upstream connection could not open a stream: " + promise.cause()))
            : promise;
      }
      connection.attach(stream, this);
    } else if (stream == null) {
      ReferenceCountUtil.release(msg);
      return promise.setFailure(new IllegalStateException("request body before its head"));
    } else {
      Http2Messages.write(encoder, ctx, stream.id(), msg, scheme, queued, promise);
    }
    connection.flush();
    return promise;
  }

  @Override
  public boolean isWritable() {
    if (stream == null) {
      return connection.channel().isWritable();
    }
    return !closed && queued.writable(connection.channel().isWritable());
  }

  @Override
  public void read() {
    boolean nothingQueued = inbound.request();
    reportHeld();
    if (nothingQueued) {
      deliverCloseIfDue();
    }
  }

  @Override
  public void readAhead(int downstreamWindow) {
    readAhead =
        Math.max(
            Http2UpstreamConnection.READ_AHEAD,
            Math.min(downstreamWindow, Http2UpstreamConnection.STREAM_WINDOW));
  }

  @Override
  public void bind(@Nullable UpstreamExchange newExchange) {
    if (newExchange != null && newExchange != holder) {
      UpstreamExchange previous = holder;
      if (previous != null && reportedHeld != 0) {
        previous.onResponseBytesHeld(-reportedHeld);
      }
      reportedHeld = 0;
      holder = newExchange;
    }
    this.exchange = newExchange;
    reportHeld();
  }

  @Override
  public boolean acceptsExtendedConnect() {
    return connection.acceptsExtendedConnect();
  }

  @Override
  public void tunneled() {
    connection.tunneled(this);
  }

  /**
   * Resets the stream (CANCEL) because its pool closed (a drain's end) while it carried a tunnel;
   * the exchange learns of it as a cancellation.
   */
  void cancelTunnel() {
    Http2Stream open = stream;
    if (released || closed || open == null) {
      return;
    }
    resetCode = Http2Error.CANCEL.code();
    ChannelFuture unused =
        connection
            .encoder()
            .writeRstStream(
                connection.context(),
                open.id(),
                Http2Error.CANCEL.code(),
                connection.context().newPromise());
    connection.flush();
  }

  @Override
  public ByteBufAllocator alloc() {
    return connection.channel().alloc();
  }

  @Override
  public boolean http2() {
    return true;
  }

  @Override
  public @Nullable Channel takeForTunnel() {
    return null; // a stream: its tunnel is the stream itself (tunneled)
  }

  @Override
  public void release(boolean reusable) {
    if (released) {
      return;
    }
    released = true;
    exchange = null;
    inbound.releaseAll();
    reportHeld();
    if (stream == null || closed) {
      end();
      return;
    }
    Http2Stream.State state = stream.state();
    if (remoteEnded
        && (state == Http2Stream.State.HALF_CLOSED_LOCAL || state == Http2Stream.State.CLOSED)) {
      // Both ends sent END_STREAM; Netty closes the stream right after delivering the last frame,
      // and that close ends the lease. A reset here would be one RST_STREAM per request, which
      // servers take for a rapid-reset attack (nghttpd answers with GOAWAY).
      return;
    }
    // Still open in a direction: reset (CANCEL); the close that follows ends the lease.
    ChannelFuture unused =
        connection
            .encoder()
            .writeRstStream(
                connection.context(),
                stream.id(),
                Http2Error.CANCEL.code(),
                connection.context().newPromise());
    connection.flush();
    connection.streamCancelled();
    if (stream.state() == Http2Stream.State.CLOSED) {
      closed = true;
      end();
    }
  }

  @Override
  public @Nullable String endpoint() {
    return Addresses.hostPort(connection.channel().remoteAddress());
  }

  @Override
  public String toString() {
    return connection.channel() + " stream " + (stream == null ? "-" : stream.id());
  }

  void onWritabilityChanged() {
    UpstreamExchange current = exchange;
    if (current != null) {
      current.onUpstreamWritabilityChanged(isWritable());
    }
  }

  void onResponseObject(HttpObject msg, int bytes, boolean endOfStream) {
    remoteEnded |= endOfStream;
    if (released) {
      ReferenceCountUtil.release(msg);
      consume(bytes);
      return;
    }
    HttpObject held =
        msg instanceof HttpContent content && !inbound.demanded()
            ? WaitingContent.own(content, alloc()) // it waits until the exchange reads on
            : msg;
    inbound.offer(held, bytes);
    reportHeld();
  }

  /** Tells the holder how the bytes held unread changed since it was last told. */
  private void reportHeld() {
    int delta = inbound.held() - reportedHeld;
    UpstreamExchange told = holder;
    if (delta != 0 && told != null) {
      reportedHeld += delta;
      told.onResponseBytesHeld(delta);
    }
  }

  void onReset(long errorCode) {
    resetCode = errorCode;
  }

  /** Netty closed the stream (both ends done, reset, GOAWAY or the connection closed). */
  void onStreamClosed(@Nullable String refused, boolean connectionActive) {
    if (closed) {
      return;
    }
    closed = true;
    if (refused != null) {
      closeCause = new StreamRefusedException(refused);
    } else if (resetCode == Http2Error.REFUSED_STREAM.code()) {
      closeCause = new StreamRefusedException("the upstream reset the stream with REFUSED_STREAM");
    } else if (resetCode >= 0) {
      closeCause = new StreamResetException(resetCode);
    } else if (!connectionActive) {
      closeCause = new IOException("upstream closed");
    }
    if (released) {
      end();
      return;
    }
    if (closeCause != null) {
      // Cut short: what was not read yet will not complete the response.
      inbound.releaseAll();
      reportHeld();
    }
    if (inbound.demanded()) {
      deliverCloseIfDue();
    }
  }

  @Override
  public boolean accepting() {
    return exchange != null;
  }

  @Override
  public void deliver(HttpObject msg) {
    requireNonNull(exchange).onResponseObject(msg); // only while accepting()
  }

  /**
   * Tells an exchange that asks for more (as a stream channel's reader learns of its close) that
   * the stream closed and nothing more comes. An exchange that got the whole response has let go of
   * the lease by then; one holding a complete response (a response-phase offload) does not ask.
   */
  private void deliverCloseIfDue() {
    if (!closed || !inbound.idle()) {
      return;
    }
    UpstreamExchange current = exchange;
    if (current != null) {
      exchange = null;
      current.onUpstreamClosed(
          closeCause != null ? closeCause : new IOException("upstream closed"));
    }
  }

  @Override
  public void consume(int bytes) {
    Http2Stream open = stream;
    if (bytes > 0 && open != null && !closed) {
      try {
        Http2LocalFlowController flow = connection.connection().local().flowController();
        // The read-ahead first: one WINDOW_UPDATE then covers it and what is consumed here.
        boolean updated = growWindow(flow, open);
        if (flow.consumeBytes(open, bytes) || updated) {
          connection.flush(); // the WINDOW_UPDATE written
        }
      } catch (Http2Exception e) {
        connection.channel().pipeline().fireExceptionCaught(e);
      }
    }
  }

  /**
   * Grows the stream's window to the read-ahead the exchange asked for, once, when the first body
   * bytes are read and more are to come (a response that already ended needs no window). True when
   * a WINDOW_UPDATE was written.
   */
  private boolean growWindow(Http2LocalFlowController flow, Http2Stream open)
      throws Http2Exception {
    int target = readAhead;
    if (target == 0) {
      return false;
    }
    readAhead = 0;
    // A stream reset or closed has no window left to grow (Netty refuses to write an update).
    if (released || remoteEnded || open.isResetSent() || open.state() == Http2Stream.State.CLOSED) {
      return false;
    }
    int delta = target - flow.initialWindowSize(open);
    if (delta <= 0) {
      return false;
    }
    flow.incrementWindowSize(open, delta);
    return true;
  }

  private void end() {
    if (!ended) {
      ended = true;
      connection.streamEnded();
    }
  }
}
