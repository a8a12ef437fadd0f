package dev.sluice.sidecar.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.logging.LogLevel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An h2c upstream that answers {@code GET /bytes/N} with N bytes, sent as fast as the receiver's
 * flow-control windows let Netty's flow controller send them, and counts what it put on the wire:
 * DATA bytes (what a proxy pulled from it), streams answered, streams reset, connections accepted
 * and connections closed for too many resets. Like any Netty server it closes a connection on which
 * it received more than 200 RST_STREAM frames within 30 s (rapid-reset protection). It advertises
 * up to 1,000 concurrent streams, so the proxy's own limits decide how its streams spread over
 * connections.
 */
public final class BulkUpstream implements AutoCloseable {
  private static final byte[] BODY = new byte[16 << 20];

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final AtomicLong dataBytes = new AtomicLong();
  private final AtomicInteger streams = new AtomicInteger();
  private final Set<String> resets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger calmDowns = new AtomicInteger();
  private final AtomicLong pings = new AtomicLong();
  private final Map<Long, CompletableFuture<Void>> pingAcks = new ConcurrentHashMap<>();
  private final Map<Http2FrameCodec, Channel> channels = new ConcurrentHashMap<>();
  private final List<Http2FrameCodec> codecs = new CopyOnWriteArrayList<>();
  private final Channel server;

  public BulkUpstream() {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    connections.incrementAndGet();
                    Http2FrameCodec codec =
                        Http2FrameCodecBuilder.forServer()
                            .initialSettings(
                                Http2Settings.defaultSettings().maxConcurrentStreams(1000))
                            .frameLogger(new Counting())
                            .build();
                    codecs.add(codec);
                    channels.put(codec, ch);
                    ch.closeFuture()
                        .addListener(
                            f -> {
                              codecs.remove(codec);
                              channels.remove(codec);
                            });
                    ch.pipeline().addLast(codec).addLast(new Answer());
                  }
                })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
  }

  /** DATA payload bytes written so far, over every connection. */
  public long dataBytes() {
    return dataBytes.get();
  }

  /** Streams answered (response HEADERS written). */
  public int streams() {
    return streams.get();
  }

  /** Streams reset by the proxy (at least one RST_STREAM received on them). */
  public int resets() {
    return resets.size();
  }

  /**
   * Streams whose response has bytes left to send and no window to send them in (the stream's or
   * the connection's): what waits for the proxy to open a window.
   */
  public int blockedStreams() throws Exception {
    int blocked = 0;
    for (Http2FrameCodec codec : codecs) {
      blocked += group.next().submit(() -> blocked(codec.connection())).get(5, TimeUnit.SECONDS);
    }
    return blocked;
  }

  private static int blocked(Http2Connection connection) throws Http2Exception {
    Http2RemoteFlowController flow = connection.remote().flowController();
    int connectionWindow = flow.windowSize(connection.connectionStream());
    int[] blocked = {0};
    connection.forEachActiveStream(
        stream -> {
          if (flow.hasFlowControlled(stream)
              && (connectionWindow <= 0 || flow.windowSize(stream) <= 0)) {
            blocked[0]++;
          }
          return true;
        });
    return blocked[0];
  }

  /**
   * A PING on every connection and its ACK back: the proxy has read (and handled) every frame this
   * upstream sent before it.
   */
  public void roundTrip() throws Exception {
    for (Channel channel : channels.values()) {
      long id = pings.incrementAndGet();
      CompletableFuture<Void> ack = new CompletableFuture<>();
      pingAcks.put(id, ack);
      channel.writeAndFlush(new DefaultHttp2PingFrame(id));
      ack.get(10, TimeUnit.SECONDS);
    }
  }

  /** Each connection's streams as the upstream sees them (for failure messages). */
  public String describe() throws Exception {
    StringBuilder out = new StringBuilder();
    for (Http2FrameCodec codec : codecs) {
      out.append(
          group
              .next()
              .submit(
                  () -> {
                    Http2Connection connection = codec.connection();
                    Http2RemoteFlowController flow = connection.remote().flowController();
                    StringBuilder s =
                        new StringBuilder("connection window ")
                            .append(flow.windowSize(connection.connectionStream()))
                            .append(", streams:");
                    connection.forEachActiveStream(
                        stream -> {
                          s.append(' ')
                              .append(stream.id())
                              .append('/')
                              .append(stream.state())
                              .append("/w")
                              .append(flow.windowSize(stream))
                              .append(flow.hasFlowControlled(stream) ? "/pending" : "");
                          return true;
                        });
                    return s.append('\n').toString();
                  })
              .get(5, TimeUnit.SECONDS));
    }
    return out.toString();
  }

  /** Streams open now, over every connection. */
  public int activeStreams() throws Exception {
    int active = 0;
    for (Http2FrameCodec codec : codecs) {
      active +=
          group.next().submit(() -> codec.connection().numActiveStreams()).get(5, TimeUnit.SECONDS);
    }
    return active;
  }

  /**
   * GOAWAY(ENHANCE_YOUR_CALM) frames this upstream sent: connections it closed for what the proxy
   * did (more than 200 RST_STREAM frames in 30 s, say).
   */
  public int calmDowns() {
    return calmDowns.get();
  }

  public int connections() {
    return connections.get();
  }

  public String address() {
    return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Counts DATA and GOAWAY going out and RST_STREAM coming in, as they cross the wire. */
  private final class Counting extends Http2FrameLogger {
    Counting() {
      super(LogLevel.TRACE, BulkUpstream.class);
    }

    @Override
    public void logData(
        Direction direction,
        ChannelHandlerContext ctx,
        int streamId,
        ByteBuf data,
        int padding,
        boolean endStream) {
      if (direction == Direction.OUTBOUND) {
        dataBytes.addAndGet(data.readableBytes());
      }
    }

    @Override
    public void logGoAway(
        Direction direction,
        ChannelHandlerContext ctx,
        int lastStreamId,
        long errorCode,
        ByteBuf debugData) {
      if (direction == Direction.OUTBOUND && errorCode == Http2Error.ENHANCE_YOUR_CALM.code()) {
        calmDowns.incrementAndGet();
      }
    }

    @Override
    public void logRstStream(
        Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
      if (direction == Direction.INBOUND) {
        resets.add(ctx.channel().id().asShortText() + "/" + streamId);
      }
    }
  }

  /** One response per request: HEADERS, then the body as one DATA write flow control splits. */
  private final class Answer extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // a peer that went away; what it left is counted already
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      pingAcks.values().forEach(ack -> ack.complete(null)); // nothing more will come
      ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2PingFrame ping && ping.ack()) {
          CompletableFuture<Void> ack = pingAcks.remove(ping.content());
          if (ack != null) {
            ack.complete(null);
          }
        } else if (msg instanceof Http2HeadersFrame head && head.isEndStream()) {
          String path = String.valueOf(head.headers().path());
          int size =
              path.startsWith("/bytes/") ? Integer.parseInt(path.substring("/bytes/".length())) : 0;
          streams.incrementAndGet();
          ctx.write(
              new DefaultHttp2HeadersFrame(
                      new DefaultHttp2Headers().status("200").setInt("content-length", size),
                      size == 0)
                  .stream(head.stream()));
          if (size > 0) {
            // The same bytes for every stream: wrapped, never copied or allocated per request.
            ctx.write(
                new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(BODY, 0, size), true)
                    .stream(head.stream()));
          }
          ctx.flush();
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }
  }
}
