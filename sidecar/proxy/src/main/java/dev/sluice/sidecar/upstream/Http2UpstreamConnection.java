package dev.sluice.sidecar.upstream;

import dev.sluice.sidecar.flow.CoalescedFlushes;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;

/**
 * One HTTP/2 connection to an upstream (h2c prior knowledge, or TLS with ALPN h2), and the streams
 * open on it. Event-loop confined.
 */
final class Http2UpstreamConnection {
  /** Per-stream receive window: bounds what one response may have in flight towards us. */
  static final int STREAM_WINDOW = 256 * 1024;

  private final Runnable onCapacity;
  private Channel channel;
  private Http2FrameCodec codec;
  private Promise<Void> ready;
  private long maxConcurrentStreams = 100;
  private int streams;
  private boolean goAway;
  private boolean draining;

  Http2UpstreamConnection(Runnable onCapacity) {
    this.onCapacity = onCapacity;
  }

  void initPipeline(Channel ch, SslContext tls, String serverName, int port) {
    this.channel = ch;
    this.ready = ch.eventLoop().newPromise();
    CoalescedFlushes.install(ch.pipeline());
    ch.closeFuture()
        .addListener(
            f ->
                ready.tryFailure(
                    new IOException("upstream closed the connection before HTTP/2 SETTINGS")));
    if (tls == null) {
      addHttp2(ch);
      return;
    }
    ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), serverName, port));
    ch.pipeline()
        .addLast(
            "alpn",
            new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof SslHandshakeCompletionEvent done) {
                  ctx.pipeline().remove(this);
                  if (!done.isSuccess()) {
                    ready.tryFailure(done.cause());
                    ctx.close();
                    return;
                  }
                  String protocol = ctx.pipeline().get(SslHandler.class).applicationProtocol();
                  if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                    ready.tryFailure(
                        new IOException(
                            "upstream did not negotiate h2 with ALPN (got " + protocol + ")"));
                    ctx.close();
                    return;
                  }
                  addHttp2(ctx.channel());
                }
                ctx.fireUserEventTriggered(evt);
              }
            });
  }

  private void addHttp2(Channel ch) {
    codec =
        Http2FrameCodecBuilder.forClient()
            .initialSettings(
                Http2Settings.defaultSettings().pushEnabled(false).initialWindowSize(STREAM_WINDOW))
            .validateHeaders(true)
            .build();
    ch.pipeline()
        .addLast("h2", codec)
        .addLast(
            "h2-multiplex",
            new Http2MultiplexHandler(
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelActive(ChannelHandlerContext ctx) {
                    ctx.close(); // no server push accepted
                  }
                }))
        .addLast("h2-watch", new Watcher());
  }

  Future<Void> ready() {
    return ready;
  }

  boolean canOpenStream() {
    // The codec knows of a GOAWAY before our watcher sees the frame: ask it too.
    return channel.isActive()
        && !goAway
        && !draining
        && streams < maxConcurrentStreams
        && (codec == null || !codec.connection().goAwayReceived());
  }

  void openStream(Promise<UpstreamLease> promise) {
    streams++;
    new Http2StreamChannelBootstrap(channel)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.ALLOCATOR, channel.alloc())
        .handler(
            new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline()
                    .addLast("h2-http", new Http2StreamFrameToHttpObjectCodec(false))
                    .addLast("exchange", new UpstreamExchangeHandler());
              }
            })
        .open()
        .addListener(
            (Future<Http2StreamChannel> f) -> {
              if (!f.isSuccess()) {
                streamEnded();
                promise.tryFailure(f.cause());
                return;
              }
              Http2StreamChannel stream = f.getNow();
              stream.closeFuture().addListener(c -> streamEnded());
              // A stream that ended both ways just closes; one still open is reset with CANCEL.
              if (!promise.trySuccess(
                  new ChannelLease(stream, true, (ch, reusable) -> ch.close()))) {
                stream.close();
              }
            });
  }

  private void streamEnded() {
    streams--;
    if ((goAway || draining) && streams == 0) {
      channel.close();
    }
    onCapacity.run();
  }

  void closeWhenIdle() {
    draining = true;
    if (streams == 0) {
      channel.close();
    }
  }

  /** Reads the peer's SETTINGS and GOAWAY off the connection. */
  private final class Watcher extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2SettingsFrame settings) {
          Long max = settings.settings().maxConcurrentStreams();
          if (max != null) {
            maxConcurrentStreams = max;
          }
          ready.trySuccess(null);
          onCapacity.run();
        } else if (msg instanceof Http2GoAwayFrame) {
          goAway = true;
          if (streams == 0) {
            ctx.close();
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ready.tryFailure(cause);
      ctx.close();
    }
  }
}
