package dev.sluice.sandbox;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One storefront pod's HTTP/1.1 server: answers every request with a greeting (and the IP
 * reputation score the sidecar attached). It stops as a well-behaved server does when its pod is
 * deleted: {@link #shutdown} closes the listener, closes idle keep-alive connections, answers the
 * requests it is reading with {@code Connection: close} and closes their connections once answered;
 * {@link #kill} is a crash (everything closed at once, whatever is in flight).
 */
@SuppressWarnings(
    "FutureReturnValueIgnored") // closes and timers: a failed close is a closed channel
final class StorefrontReplica {
  /** Set on a connection between a request's head and its last byte: it is being answered. */
  private static final AttributeKey<Boolean> READING = AttributeKey.valueOf("storefront.reading");

  private final String app;
  private final String name;
  private final InetSocketAddress address;
  private final Channel listener;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicLong answered = new AtomicLong();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private volatile boolean draining;

  StorefrontReplica(String name, InetSocketAddress address, EventLoopGroup group)
      throws InterruptedException {
    this("storefront", name, address, group);
  }

  /**
   * A replica of the release {@code app} names, which its greeting starts with as the example's
   * nginx configuration has it: {@code storefront: hello, /} or {@code storefront-canary: hello,
   * /}.
   */
  StorefrontReplica(String app, String name, InetSocketAddress address, EventLoopGroup group)
      throws InterruptedException {
    this.app = app;
    this.name = name;
    this.address = address;
    this.listener =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.add(ch);
                    ch.pipeline()
                        .addLast(
                            new HttpServerCodec(),
                            new RequestTracker(),
                            new HttpObjectAggregator(1 << 20),
                            new Greeting());
                  }
                })
            .bind(address)
            .sync()
            .channel();
  }

  String name() {
    return name;
  }

  /** The pod's IP, as the EndpointSlice lists it. */
  String ip() {
    return address.getHostString();
  }

  /** host:port, as the endpoint document names it. */
  String endpoint() {
    return address.getHostString() + ":" + address.getPort();
  }

  long answered() {
    return answered.get();
  }

  /**
   * Stops gracefully (the pod's process got SIGTERM after its preStop sleep): no new connection,
   * idle connections closed now, the others after the response they are reading or writing (sent
   * with {@code Connection: close}); whatever is still open after {@code deadline} is closed. The
   * future completes once every connection is closed.
   */
  CompletableFuture<Void> shutdown(Duration deadline) {
    draining = true;
    listener.close();
    for (Channel connection : connections) {
      connection
          .eventLoop()
          .execute(
              () -> {
                if (!Boolean.TRUE.equals(connection.attr(READING).get())) {
                  connection.close();
                }
              });
    }
    listener
        .eventLoop()
        .schedule(() -> connections.close(), deadline.toMillis(), TimeUnit.MILLISECONDS);
    awaitConnectionsClosed();
    return stopped;
  }

  /** Crashes: the listener and every connection closed at once (a SIGKILL, an OOM kill). */
  CompletableFuture<Void> kill() {
    draining = true;
    listener.close();
    connections.close();
    awaitConnectionsClosed();
    return stopped;
  }

  private void awaitConnectionsClosed() {
    if (connections.isEmpty() && !listener.isOpen()) {
      stopped.complete(null);
      return;
    }
    listener.eventLoop().schedule(this::awaitConnectionsClosed, 20, TimeUnit.MILLISECONDS);
  }

  /** Marks a connection as answering from a request's head to its response. */
  private static final class RequestTracker extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest) {
        ctx.channel().attr(READING).set(true);
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** The greeting; while draining, with {@code Connection: close} and the connection closed. */
  private final class Greeting extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof HttpRequest request)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      try {
        String score = request.headers().get("X-IP-Score");
        byte[] body =
            (app
                    + ": hello, "
                    + URI.create(request.uri()).getPath()
                    + (score == null ? "" : " (your IP reputation score: " + score + ")")
                    + "\n")
                .getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        response.headers().set("X-Replica", name);
        HttpUtil.setContentLength(response, body.length);
        boolean close = draining || !HttpUtil.isKeepAlive(request);
        if (close) {
          response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.channel().attr(READING).set(false);
        answered.incrementAndGet();
        var written = ctx.writeAndFlush(response);
        if (close) {
          written.addListener(ChannelFutureListener.CLOSE);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
