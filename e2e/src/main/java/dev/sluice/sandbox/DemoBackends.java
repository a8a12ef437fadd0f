package dev.sluice.sandbox;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * The demo's {@code upload-store} backend, on its own loopback address: an h2c (prior knowledge)
 * server that answers every request with the SHA-256 and length of the body it received — so an
 * upload can be checked end to end, and a stream that never ends would never be answered — and the
 * {@link #REPORTED_HEADER} it got, if any. The {@code storefront} backend is a Deployment of its
 * own, {@link StorefrontReplicas}.
 */
final class DemoBackends implements AutoCloseable {
  /**
   * The request header the upload-store reports when it got one (examples/httproute's uploads route
   * adds it), after {@link #SAW}: {@code saw x-upload-via=gateway}.
   */
  static final String REPORTED_HEADER = "x-upload-via";

  static final String SAW = " saw ";

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel uploadStore;

  DemoBackends(InetSocketAddress uploadStoreAddress) throws InterruptedException {
    uploadStore =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            Http2FrameCodecBuilder.forServer().build(),
                            new Http2MultiplexHandler(
                                new ChannelInitializer<Http2StreamChannel>() {
                                  @Override
                                  protected void initChannel(Http2StreamChannel stream) {
                                    stream.pipeline().addLast(new DigestingStream());
                                  }
                                }));
                  }
                })
            .bind(uploadStoreAddress)
            .sync()
            .channel();
  }

  /** One h2c stream: digest the body, answer when it ends (END_STREAM) with what arrived. */
  private static final class DigestingStream extends ChannelInboundHandlerAdapter {
    private final MessageDigest digest = sha256();
    private long bytes;
    private String path = "";
    private @Nullable CharSequence reported;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame headers) {
          path = String.valueOf(headers.headers().path());
          reported = headers.headers().get(REPORTED_HEADER);
          if (headers.isEndStream()) {
            answer(ctx);
          }
        } else if (msg instanceof Http2DataFrame data) {
          bytes += data.content().readableBytes();
          digest.update(data.content().nioBuffer());
          if (data.isEndStream()) {
            answer(ctx);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @SuppressWarnings("FutureReturnValueIgnored") // a write that fails: the stream is gone
    private void answer(ChannelHandlerContext ctx) {
      byte[] body =
          ("upload-store: "
                  + path
                  + " sha256="
                  + HexFormat.of().formatHex(digest.digest())
                  + " bytes="
                  + bytes
                  + (reported == null ? "" : SAW + REPORTED_HEADER + "=" + reported)
                  + "\n")
              .getBytes(StandardCharsets.UTF_8);
      ctx.write(
          new DefaultHttp2HeadersFrame(
              new DefaultHttp2Headers().status("200").add("content-type", "text/plain")));
      ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  @Override
  public void close() {
    uploadStore.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
