package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.forward.DownstreamSide;
import dev.sluice.sidecar.forward.Exchange;
import dev.sluice.sidecar.forward.LocalResponses;
import dev.sluice.sidecar.routing.RequestTarget;
import dev.sluice.sidecar.runtime.BoundRoute;
import dev.sluice.sidecar.runtime.Generation;
import dev.sluice.spop.SpopValue;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * End of a downstream pipeline: an HTTP/1.1 connection (one exchange at a time, keep-alive) or one
 * HTTP/2 stream. Turns each request head into an {@link Exchange} on the route the current
 * generation picks, and answers malformed or unroutable requests itself.
 */
final class DownstreamRequestHandler extends ChannelInboundHandlerAdapter
    implements DownstreamSide {
  private static final Logger log = LoggerFactory.getLogger(DownstreamRequestHandler.class);

  /**
   * How long an HTTP/1.1 connection keeps reading (and discarding) the rest of a request that was
   * answered early before it closes. Closing with unread input makes the kernel reset the
   * connection and drop the answer still in flight (the lingering-close problem).
   */
  static final long LINGER_MILLIS = 2000;

  /** A connection's {@code sess.*} agent variables; event-loop confined like the connection. */
  private static final AttributeKey<Map<String, SpopValue>> SESSION_VARIABLES =
      AttributeKey.valueOf("sluice.sessionVariables");

  private final ListenerContext listener;
  private final boolean http2;
  private ChannelHandlerContext ctx;
  private Exchange current;
  private boolean lingering;

  DownstreamRequestHandler(ListenerContext listener, boolean http2) {
    this.listener = listener;
    this.http2 = http2;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    ctx.channel().config().setAutoRead(false);
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
      if (current != null) {
        current.onRequestContent(content);
      } else {
        // Body left over after a local answer, or the empty end of a bodyless request.
        content.release();
        ctx.read();
      }
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
    String problem = malformed(request);
    if (problem != null) {
      DecoderResult result = request.decoderResult();
      HttpResponseStatus status = statusFor(result.cause());
      listener.metrics().rejected(status.code());
      respond(status, problem, true);
      return;
    }
    RequestTarget target = RequestTarget.of(request);
    BoundRoute route = null;
    // A generation can close (drained) between reading it and counting the request in: then the
    // current one is newer, so read again. Bounded: each retry sees a newer generation.
    for (int attempt = 0; attempt < 8; attempt++) {
      Generation generation = listener.generation().get();
      route =
          generation == null
              ? null
              : generation.route(listener.config().name(), target, request.headers());
      if (route == null || route.inFlight().tryStart()) {
        break;
      }
      route = null;
    }
    if (route == null) {
      listener.metrics().rejected(404);
      boolean complete = request instanceof LastHttpContent || Exchange.bodyless(request);
      respond(
          HttpResponseStatus.NOT_FOUND,
          "no route of listener "
              + listener.config().name()
              + " matches host \""
              + target.host()
              + "\" path \""
              + target.path()
              + "\" method "
              + target.method(),
          !complete || !(http2 || HttpUtil.isKeepAlive(request)),
          !complete);
      return;
    }
    current = new Exchange(this, route, request, listener.metrics());
    current.start();
  }

  /** Null when the head is acceptable, else the sentence for the 4xx answer. */
  private static String malformed(HttpRequest request) {
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      Throwable cause = result.cause();
      if (cause instanceof TooLongHttpHeaderException) {
        return "request headers exceed the listener's maxHeaderBytes";
      }
      if (cause instanceof TooLongHttpLineException) {
        return "request line too long";
      }
      return "malformed request: " + cause.getMessage();
    }
    List<String> encodings = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!encodings.isEmpty()
        && !(encodings.size() == 1 && encodings.get(0).trim().equalsIgnoreCase("chunked"))) {
      return "Transfer-Encoding " + encodings + " (expected: chunked only)";
    }
    return null;
  }

  private static HttpResponseStatus statusFor(Throwable cause) {
    if (cause instanceof TooLongHttpHeaderException) {
      return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    }
    if (cause instanceof TooLongHttpLineException || cause instanceof TooLongFrameException) {
      return HttpResponseStatus.REQUEST_URI_TOO_LONG;
    }
    return HttpResponseStatus.BAD_REQUEST;
  }

  private void respond(HttpResponseStatus status, String sentence, boolean close) {
    respond(status, sentence, close, false);
  }

  /** {@code bodyPending}: the request's body is still arriving (linger before closing). */
  private void respond(
      HttpResponseStatus status, String sentence, boolean close, boolean bodyPending) {
    log.debug("local {}: {}", status.code(), sentence);
    boolean closeConnection = (close || stopping()) && !http2;
    var write =
        ctx.writeAndFlush(LocalResponses.of(ctx.alloc(), status, sentence, closeConnection));
    if (closeConnection && bodyPending) {
      write.addListener(f -> lingerThenClose());
    } else if (closeConnection) {
      write.addListener(ChannelFutureListener.CLOSE);
    } else if (http2 && close) {
      write.addListener(f -> resetStream(Http2Error.NO_ERROR));
    } else {
      ctx.read();
    }
  }

  // DownstreamSide

  @Override
  public Channel channel() {
    return ctx.channel();
  }

  @Override
  public boolean http2() {
    return http2;
  }

  @Override
  public String clientAddress() {
    InetSocketAddress remote = remote();
    return remote == null ? null : remote.getAddress().getHostAddress();
  }

  private Channel connection() {
    return http2 ? ctx.channel().parent() : ctx.channel();
  }

  @Override
  public InetSocketAddress remote() {
    Channel connection = connection();
    SocketAddress remote = connection == null ? null : connection.remoteAddress();
    return remote instanceof InetSocketAddress inet ? inet : null;
  }

  @Override
  public InetSocketAddress local() {
    Channel connection = connection();
    SocketAddress local = connection == null ? null : connection.localAddress();
    return local instanceof InetSocketAddress inet ? inet : null;
  }

  @Override
  public Map<String, SpopValue> sessionVariables() {
    Attribute<Map<String, SpopValue>> attribute = connection().attr(SESSION_VARIABLES);
    Map<String, SpopValue> variables = attribute.get();
    if (variables == null) {
      variables = new HashMap<>();
      attribute.set(variables);
    }
    return variables;
  }

  @Override
  public boolean stopping() {
    return listener.stopping().getAsBoolean();
  }

  /** Shutdown began: an idle HTTP/1.1 connection closes now, a busy one after its response. */
  void shutdown() {
    if (!http2 && current == null && !lingering) {
      ctx.close();
    }
  }

  @Override
  public String scheme() {
    return listener.scheme();
  }

  @Override
  public void readRequest() {
    ctx.read();
  }

  @Override
  public void exchangeFinished(boolean requestComplete, boolean keepAlive) {
    current = null;
    if (http2) {
      if (!requestComplete) {
        // The answer is complete; tell the client to stop sending the rest (RFC 9113 8.1).
        resetStream(Http2Error.NO_ERROR);
      }
      return;
    }
    if (!requestComplete) {
      lingerThenClose();
    } else if (!keepAlive || stopping()) {
      closeAfterWrites();
    } else {
      ctx.read();
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
  private void lingerThenClose() {
    if (lingering || !ctx.channel().isActive()) {
      return;
    }
    lingering = true;
    ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    ctx.read();
  }

  @Override
  public void abort() {
    current = null;
    if (http2) {
      resetStream(Http2Error.INTERNAL_ERROR);
    } else {
      ctx.close();
    }
  }

  private void resetStream(Http2Error error) {
    Channel channel = ctx.channel();
    if (channel instanceof Http2StreamChannel && channel.isActive()) {
      ctx.writeAndFlush(new DefaultHttp2ResetFrame(error)).addListener(ChannelFutureListener.CLOSE);
    }
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
    ctx.close();
  }
}
