package dev.sluice.sidecar.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client over HTTP/2 (RFC 8441): Netty's HTTP/2 client codec (h2c prior knowledge, or
 * TLS with ALPN h2) and Netty's WebSocket frame codec on a stream opened by an extended CONNECT.
 * Records the server's first SETTINGS, each stream's response head, its WebSocket frames (whole
 * messages; the decoder joins nothing, frames are unfragmented), its END_STREAM and reset.
 */
public final class Http2WebSocketClient implements AutoCloseable {
  private static final EventLoopGroup GROUP =
      new MultiThreadIoEventLoopGroup(
          1, new DefaultThreadFactory("h2-ws-test-client", true), NioIoHandler.newFactory());

  private final Channel connection;
  private final CompletableFuture<Http2Settings> settings;

  private Http2WebSocketClient(Channel connection, CompletableFuture<Http2Settings> settings) {
    this.connection = connection;
    this.settings = settings;
  }

  /** Connects to {@code port} (TLS with ALPN h2 when {@code tls}). */
  public static Http2WebSocketClient connect(int port, boolean tls) throws InterruptedException {
    CompletableFuture<Http2Settings> settings = new CompletableFuture<>();
    Channel channel =
        new Bootstrap()
            .group(GROUP)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    if (tls) {
                      ch.pipeline()
                          .addLast(TestTls.client().newHandler(ch.alloc(), "localhost", port));
                    }
                    ch.pipeline()
                        .addLast(
                            Http2FrameCodecBuilder.forClient()
                                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
                                .build())
                        .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                        .addLast(
                            new ChannelInboundHandlerAdapter() {
                              @Override
                              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof Http2SettingsFrame frame) {
                                  settings.complete(frame.settings());
                                }
                                ReferenceCountUtil.release(msg);
                              }
                            });
                  }
                })
            .connect("127.0.0.1", port)
            .sync()
            .channel();
    return new Http2WebSocketClient(channel, settings);
  }

  /** The server's first SETTINGS. */
  public Http2Settings settings() throws Exception {
    return settings.get(20, TimeUnit.SECONDS);
  }

  /**
   * Opens a stream with {@code headers} (pseudo-header fields included, as the test writes them)
   * and HEADERS that leave it open.
   */
  public Stream open(Http2Headers headers) throws Exception {
    Stream stream = new Stream();
    Http2StreamChannel channel =
        new Http2StreamChannelBootstrap(connection)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(stream.new Frames())
                        .addLast(
                            new WebSocket08FrameDecoder(
                                WebSocketDecoderConfig.newBuilder()
                                    .expectMaskedFrames(false)
                                    .maxFramePayloadLength(4 << 20)
                                    .build()))
                        .addLast(new WebSocket08FrameEncoder(true))
                        .addLast(stream.new Messages());
                  }
                })
            .open()
            .sync()
            .getNow();
    stream.channel = channel;
    channel.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false)).sync();
    return stream;
  }

  /** The request head of an extended CONNECT for {@code protocol} to {@code path}. */
  public static Http2Headers extendedConnect(String scheme, String path, String protocol) {
    Http2Headers headers =
        new DefaultHttp2Headers()
            .method("CONNECT")
            .scheme(scheme)
            .path(path)
            .authority("localhost");
    headers.set(":protocol", protocol);
    headers.set("sec-websocket-version", "13");
    return headers;
  }

  /** True once the connection closed. */
  public boolean closed() {
    return !connection.isActive();
  }

  @Override
  public void close() {
    connection.close().syncUninterruptibly();
  }

  /** One stream and what arrived on it. */
  public static final class Stream {
    /**
     * Received in order: the response head, WebSocket frames (retained) after a 2xx or "BODY:text"
     * otherwise, "END_STREAM", "RST n".
     */
    public final BlockingQueue<Object> received = new LinkedBlockingQueue<>();

    private Channel channel;

    /** Sends one WebSocket frame (ownership passes). */
    public void send(WebSocketFrame frame) throws InterruptedException {
      channel.writeAndFlush(frame).sync();
    }

    /** Ends the client's direction (an empty DATA frame with END_STREAM). */
    public void endStream() throws InterruptedException {
      channel.writeAndFlush(new DefaultHttp2DataFrame(true)).sync();
    }

    /** Resets the stream with CANCEL. */
    public void reset() throws InterruptedException {
      channel.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL)).sync();
    }

    /** The next thing received, within 20 s. */
    public Object next() throws InterruptedException {
      Object next = received.poll(20, TimeUnit.SECONDS);
      if (next == null) {
        throw new AssertionError("nothing arrived on the stream within 20 s");
      }
      return next;
    }

    /** Frames to bytes and back; heads, END_STREAM and resets recorded. */
    final class Frames extends ChannelDuplexHandler {
      /** A 2xx came: DATA carries WebSocket frames; before (or else) it is a plain body. */
      private boolean tunnel;

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame head) {
          CharSequence status = head.headers().status();
          tunnel = status != null && status.length() == 3 && status.charAt(0) == '2';
          received.add(head.headers());
          if (head.isEndStream()) {
            received.add("END_STREAM");
          }
        } else if (msg instanceof Http2DataFrame data) {
          boolean end = data.isEndStream();
          if (tunnel) {
            ctx.fireChannelRead(data.content().retain());
          } else if (data.content().isReadable()) {
            received.add("BODY:" + data.content().toString(StandardCharsets.UTF_8));
          }
          data.release();
          if (end) {
            received.add("END_STREAM");
          }
        } else if (msg instanceof Http2ResetFrame reset) {
          received.add("RST " + reset.errorCode());
        } else {
          ReferenceCountUtil.release(msg);
        }
      }

      /** Netty's multiplexer hands a stream its RST_STREAM as an event. */
      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame reset) {
          received.add("RST " + reset.errorCode());
        }
        ReferenceCountUtil.release(evt);
      }

      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg instanceof ByteBuf bytes ? new DefaultHttp2DataFrame(bytes) : msg, promise);
      }
    }

    /** Decoded WebSocket frames, kept in order (the test releases them). */
    final class Messages extends ChannelInboundHandlerAdapter {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        received.add(msg);
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        received.add("ERROR " + cause);
      }
    }
  }
}
