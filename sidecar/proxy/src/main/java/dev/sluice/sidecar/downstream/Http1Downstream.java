package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.forward.Exchange;
import dev.sluice.sidecar.forward.LocalResponses;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * End of a downstream HTTP/1.1 pipeline: one exchange at a time, keep-alive, lingering close. Turns
 * each request head into an {@link Exchange} ({@link RequestHeads}), and answers a request that
 * arrives before the previous one ended itself.
 */
final class Http1Downstream extends ChannelInboundHandlerAdapter
    implements ConnectionSide, ConnectionTimeouts.Ends {
  private static final Logger log = LoggerFactory.getLogger(Http1Downstream.class);

  /**
   * How long an HTTP/1.1 connection keeps reading (and discarding) the rest of a request that was
   * answered early before it closes. Closing with unread input makes the kernel reset the
   * connection and drop the answer still in flight (the lingering-close problem).
   */
  static final long LINGER_MILLIS = 2000;

  private final ListenerContext listener;
  private final ConnectionTimeouts timeouts;

  @SuppressWarnings("NullAway.Init") // set in handlerAdded, Netty's first call
  private ChannelHandlerContext ctx;

  private @Nullable Exchange current;
  private boolean lingering;

  Http1Downstream(ListenerContext listener, ConnectionTimeouts timeouts) {
    this.listener = listener;
    this.timeouts = timeouts;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    timeouts.protocol(this);
    ctx.channel().config().setAutoRead(false);
    // A client's FIN waits behind its request in OneMessagePerRead, which reads ahead.
    ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    if (ctx.channel().isActive()) {
      ctx.read();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.read();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (lingering) {
      // Discard the rest of an answered request; its end (or the timer) closes the connection.
      boolean last = msg instanceof LastHttpContent;
      ReferenceCountUtil.release(msg);
      if (last || msg instanceof HttpRequest) {
        closeAfterWrites();
      } else {
        ctx.read();
      }
      return;
    }
    if (msg instanceof HttpRequest request) {
      try {
        onRequestHead(request);
      } finally {
        // A full request head (HTTP/2 END_STREAM on HEADERS) owns an empty buffer.
        ReferenceCountUtil.release(msg);
      }
    } else if (msg instanceof HttpContent content) {
      if (current == null && content.decoderResult().isFailure()) {
        // The body of a request answered locally was unreadable: the decoder now discards the
        // rest of the connection's input, so no next request can be read on it.
        content.release();
        closeAfterWrites();
        return;
      }
      RequestHeads.content(current, content, ctx::read);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onRequestHead(HttpRequest request) {
    if (current != null) {
      respond(
          HttpResponseStatus.BAD_REQUEST,
          "a new request arrived before the previous one ended",
          true);
      return;
    }
    timeouts.busy();
    current = RequestHeads.start(listener, this, request, this::respond);
  }

  private void respond(HttpResponseStatus status, String sentence, boolean close) {
    respond(status, sentence, close, false);
  }

  /** {@code bodyPending}: the request's body is still arriving (linger before closing). */
  private void respond(
      HttpResponseStatus status, String sentence, boolean close, boolean bodyPending) {
    log.debug("local {}: {}", status.code(), sentence);
    boolean closeConnection = close || stopping();
    var write =
        ctx.writeAndFlush(LocalResponses.of(ctx.alloc(), status, sentence, closeConnection));
    if (closeConnection && bodyPending) {
      write.addListener(f -> lingerThenClose());
    } else if (closeConnection) {
      write.addListener(ChannelFutureListener.CLOSE);
    } else {
      timeouts.idle();
      ctx.read();
    }
  }

  // DownstreamSide

  @Override
  public ChannelFuture write(HttpObject msg) {
    return ctx.writeAndFlush(msg);
  }

  @Override
  public boolean isWritable() {
    return ctx.channel().isWritable();
  }

  @Override
  public boolean http2() {
    return false;
  }

  @Override
  public Channel connectionChannel() {
    return ctx.channel();
  }

  @Override
  public ListenerContext listenerContext() {
    return listener;
  }

  /** Shutdown began: an idle HTTP/1.1 connection closes now, a busy one after its response. */
  void shutdown() {
    if (current == null && !lingering) {
      ChannelFuture unused = ctx.close();
    }
  }

  @Override
  public void readRequest() {
    ctx.read();
  }

  @Override
  public void exchangeFinished(boolean requestComplete, boolean keepAlive) {
    current = null;
    if (!requestComplete) {
      lingerThenClose();
    } else if (!keepAlive || stopping()) {
      closeAfterWrites();
    } else {
      timeouts.idle();
      ctx.read();
    }
  }

  // ConnectionTimeouts.Ends

  /** No complete head in time: 408 saying which limit, and the connection closes. */
  @Override
  public void headerReadTimedOut(String limit) {
    if (current == null && !lingering) {
      respond(HttpResponseStatus.REQUEST_TIMEOUT, "no complete request head " + limit, true);
    }
  }

  /** Idle between requests for the idle timeout: closed without a word, as keep-alive allows. */
  @Override
  public void idleTimedOut() {
    if (current == null && !lingering) {
      ChannelFuture unused = ctx.close();
    }
  }

  /**
   * Closes once everything written so far is on the wire. A plain close would discard writes whose
   * flush is still coalescing (or in progress higher up the stack), truncating the response.
   */
  private void closeAfterWrites() {
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  /** Reads and discards the rest of the request, then closes; never longer than the linger. */
  @SuppressWarnings("FutureReturnValueIgnored") // the timer's close ends the connection either way
  private void lingerThenClose() {
    if (lingering || !ctx.channel().isActive()) {
      return;
    }
    lingering = true;
    ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    ctx.read();
  }

  @Override
  public Channel takeForTunnel() {
    current = null;
    ChannelPipeline pipeline = ctx.pipeline();
    // The 101 and its end went through the encoder already; what the decoder holds unparsed goes
    // on as bytes to the flow handler's queue, which the tunnel reads first.
    pipeline.remove("http1-encoder");
    pipeline.remove("http1-decoder");
    pipeline.remove(this);
    return ctx.channel();
  }

  @Override
  public void abort() {
    current = null;
    ChannelFuture unused = ctx.close();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (current != null && ctx.channel().isWritable()) {
      current.onDownstreamWritable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Exchange exchange = current;
    current = null;
    if (exchange != null) {
      exchange.onDownstreamClosed();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("downstream error on {}: {}", ctx.channel(), cause.toString());
    ChannelFuture unused = ctx.close();
  }
}
