package dev.sluice.sidecar.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test backend on loopback (HTTP/1.1 or h2c prior knowledge) that answers every request at once
 * with 200 and its own name as the body, except {@code /hold}, answered once {@link #release} is
 * called. It counts what it received and answered, tracks its connections, and can be killed hard:
 * the listening socket and every connection closed at once. It can also answer every request with
 * another status ({@link #answerWith}) or none at all ({@link #hangAll}). Each answer says in
 * {@code x-received-bytes} how many body bytes its request had.
 */
public final class NamedUpstream implements AutoCloseable {
  private final String name;
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicInteger received = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile CompletableFuture<Void> held = new CompletableFuture<>();
  private volatile int status = 200;
  private volatile boolean hangAll;
  private final Channel server;

  public NamedUpstream(String name, boolean h2c) {
    this.name = name;
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    accepted.incrementAndGet();
                    connections.add(ch);
                    if (h2c) {
                      ch.pipeline()
                          .addLast(Http2FrameCodecBuilder.forServer().build())
                          .addLast(new Http2MultiplexHandler(new StreamInitializer()));
                    } else {
                      ch.pipeline()
                          .addLast(new HttpServerCodec())
                          .addLast(new HttpObjectAggregator(65536))
                          .addLast(new Http1Answer());
                    }
                  }
                })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
  }

  public String address() {
    return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
  }

  public String name() {
    return name;
  }

  /** Requests received so far. */
  public int received() {
    return received.get();
  }

  /** Requests received and not answered (yet). */
  public int unanswered() {
    return received.get() - answered.get();
  }

  /** Connections open now. */
  public int openConnections() {
    return connections.size();
  }

  /** Connections accepted so far. */
  public int acceptedConnections() {
    return accepted.get();
  }

  /** Answers every request from now on with {@code status} (a 503 for an endpoint in trouble). */
  public void answerWith(int status) {
    this.status = status;
  }

  /** Answers the held requests (and the ones held later, until the next hold). */
  public void release() {
    held.complete(null);
  }

  /** Holds {@code /hold} requests again. */
  public void hold() {
    held = new CompletableFuture<>();
  }

  /** Requests from now on are received and never answered, as a stuck process's. */
  public void hangAll() {
    hangAll = true;
  }

  /** The listening socket and every connection closed, at once, as a process that died. */
  public void kill() {
    server.close().syncUninterruptibly();
    connections.close().syncUninterruptibly();
  }

  private void whenReleased(String path, Runnable answer) {
    if (hangAll) {
      return;
    }
    if (path.startsWith("/hold")) {
      held.thenRun(answer);
    } else {
      answer.run();
    }
  }

  private ByteBuf body() {
    return Unpooled.copiedBuffer(name, StandardCharsets.UTF_8);
  }

  private final class Http1Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      received.incrementAndGet();
      int bytes = request.content().readableBytes();
      whenReleased(
          request.uri(),
          () -> {
            FullHttpResponse response =
                new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), body());
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, name.length());
            response.headers().setInt("x-received-bytes", bytes);
            ctx.writeAndFlush(response)
                .addListener(
                    (ChannelFutureListener)
                        f -> {
                          if (f.isSuccess()) {
                            answered.incrementAndGet();
                          }
                        });
          });
    }
  }

  private final class StreamInitializer extends ChannelInitializer<Http2StreamChannel> {
    @Override
    protected void initChannel(Http2StreamChannel ch) {
      ch.pipeline()
          .addLast(
              new SimpleChannelInboundHandler<Object>() {
                private String path = "/";
                private int bytes;

                @Override
                protected void channelRead0(ChannelHandlerContext ctx, Object frame) {
                  boolean end = false;
                  if (frame instanceof Http2HeadersFrame headers) {
                    path = String.valueOf(headers.headers().path());
                    end = headers.isEndStream();
                  } else if (frame instanceof Http2DataFrame data) {
                    end = data.isEndStream();
                    bytes += data.content().readableBytes();
                  }
                  if (!end) {
                    return;
                  }
                  received.incrementAndGet();
                  whenReleased(
                      path,
                      () ->
                          ctx.channel()
                              .eventLoop()
                              .execute(
                                  () -> {
                                    ctx.write(
                                        new DefaultHttp2HeadersFrame(
                                            new DefaultHttp2Headers()
                                                .status(Integer.toString(status))
                                                .setInt("x-received-bytes", bytes)));
                                    ctx.writeAndFlush(new DefaultHttp2DataFrame(body(), true))
                                        .addListener(
                                            (ChannelFutureListener)
                                                f -> {
                                                  if (f.isSuccess()) {
                                                    answered.incrementAndGet();
                                                  }
                                                });
                                  }));
                }
              });
    }
  }

  @Override
  public void close() {
    kill();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
