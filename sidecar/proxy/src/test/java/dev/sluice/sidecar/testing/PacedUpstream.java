package dev.sluice.sidecar.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
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
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test backend on loopback (HTTP/1.1 or h2c prior knowledge) whose answers take their time, by
 * what the path contains: {@code slow-head} is never answered; {@code slow-body} gets its head at
 * once and then a {@value #CHUNK_BYTES}-byte chunk every {@value #PACE_MILLIS} ms, without end;
 * {@code paced-N} gets N such chunks and then its end; {@code flaky} is never answered while {@link
 * #hangNext} has hangs left, else as anything else: {@code ok} at once. It counts the requests each
 * path received (tries, when a proxy sends one again). HTTP/1.1 bodies are chunked, HTTP/2 ones
 * DATA frames; a connection or stream the proxy closes stops its chunks.
 */
public final class PacedUpstream implements AutoCloseable {
  public static final int PACE_MILLIS = 100;
  public static final int CHUNK_BYTES = 16;
  private static final Pattern PACED = Pattern.compile("paced-([0-9]+)");

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
  private final AtomicInteger hangs = new AtomicInteger();
  private final Channel server;

  public PacedUpstream(boolean h2c) {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    connections.add(ch);
                    if (h2c) {
                      ch.pipeline()
                          .addLast(Http2FrameCodecBuilder.forServer().build())
                          .addLast(new Http2MultiplexHandler(new Http2Stream()));
                    } else {
                      ch.pipeline().addLast(new HttpServerCodec()).addLast(new Http1Answer());
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

  /** Requests received for {@code path} (with its query) so far. */
  public int received(String path) {
    AtomicInteger count = received.get(path);
    return count == null ? 0 : count.get();
  }

  /** The next {@code count} {@code flaky} requests are received and never answered. */
  public void hangNext(int count) {
    hangs.set(count);
  }

  /** What a request for {@code path} gets. */
  private record Answer(boolean head, int chunks) {
    static final Answer NONE = new Answer(false, 0);
    static final Answer ENDLESS = new Answer(true, -1);
  }

  private Answer answerTo(String path) {
    received.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    if (path.contains("slow-head")
        || (path.contains("flaky") && hangs.getAndUpdate(h -> Math.max(h - 1, 0)) > 0)) {
      return Answer.NONE;
    }
    if (path.contains("slow-body")) {
      return Answer.ENDLESS;
    }
    Matcher paced = PACED.matcher(path);
    return new Answer(true, paced.find() ? Integer.parseInt(paced.group(1)) : 0);
  }

  private static ByteBuf chunkBytes(int index) {
    byte[] bytes = new byte[CHUNK_BYTES];
    Arrays.fill(bytes, (byte) ('a' + index % 26));
    return Unpooled.wrappedBuffer(bytes);
  }

  /** Writes what {@code send} says, chunk by chunk, while {@code channel} is open. */
  private interface Sender {
    void head(boolean endsHere);

    void chunk(int index, boolean last);
  }

  private static void pace(Channel channel, Answer answer, Sender send) {
    if (!answer.head()) {
      return;
    }
    if (answer.chunks() == 0) {
      send.head(true);
      return;
    }
    send.head(false);
    next(channel, answer.chunks(), 0, send);
  }

  private static void next(Channel channel, int chunks, int index, Sender send) {
    channel
        .eventLoop()
        .schedule(
            () -> {
              if (!channel.isActive()) {
                return;
              }
              boolean last = chunks > 0 && index == chunks - 1;
              send.chunk(index, last);
              if (!last) {
                next(channel, chunks, index + 1, send);
              }
            },
            PACE_MILLIS,
            TimeUnit.MILLISECONDS);
  }

  private final class Http1Answer extends SimpleChannelInboundHandler<HttpObject> {
    private String path = "/";

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // the proxy cut the connection: expected here
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpRequest request) {
        path = request.uri();
      }
      if (!(msg instanceof LastHttpContent)) {
        return;
      }
      pace(
          ctx.channel(),
          answerTo(path),
          new Sender() {
            @Override
            public void head(boolean endsHere) {
              var head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
              if (endsHere) {
                HttpUtil.setContentLength(head, 2);
                ctx.write(head);
                ctx.writeAndFlush(
                    new DefaultLastHttpContent(
                        Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII)));
              } else {
                HttpUtil.setTransferEncodingChunked(head, true);
                ctx.writeAndFlush(head);
              }
            }

            @Override
            public void chunk(int index, boolean last) {
              ctx.writeAndFlush(
                  last
                      ? new DefaultLastHttpContent(chunkBytes(index))
                      : new DefaultHttpContent(chunkBytes(index)));
            }
          });
    }
  }

  private final class Http2Stream extends ChannelInitializer<Http2StreamChannel> {
    @Override
    protected void initChannel(Http2StreamChannel ch) {
      ch.pipeline()
          .addLast(
              new SimpleChannelInboundHandler<Object>() {
                private String path = "/";

                @Override
                protected void channelRead0(ChannelHandlerContext ctx, Object frame) {
                  boolean end = false;
                  if (frame instanceof Http2HeadersFrame headers) {
                    path = String.valueOf(headers.headers().path());
                    end = headers.isEndStream();
                  } else if (frame instanceof Http2DataFrame data) {
                    end = data.isEndStream();
                  }
                  if (end) {
                    pace(ctx.channel(), answerTo(path), http2Sender(ctx));
                  }
                }
              });
    }

    private Sender http2Sender(ChannelHandlerContext ctx) {
      return new Sender() {
        @Override
        public void head(boolean endsHere) {
          ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")));
          if (endsHere) {
            ctx.writeAndFlush(
                new DefaultHttp2DataFrame(
                    Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII), true));
          } else {
            ctx.flush();
          }
        }

        @Override
        public void chunk(int index, boolean last) {
          ctx.writeAndFlush(new DefaultHttp2DataFrame(chunkBytes(index), last));
        }
      };
    }
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    connections.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
