package dev.sluice.sidecar.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 client at frame level (h2c prior knowledge, or TLS with ALPN h2): sends a request whose
 * END_STREAM lands exactly where the test says, with the test's timing, and records every frame of
 * the response stream.
 */
public final class Http2Client implements AutoCloseable {
  private static final EventLoopGroup GROUP =
      new MultiThreadIoEventLoopGroup(
          1, new DefaultThreadFactory("h2-test-client", true), NioIoHandler.newFactory());

  /** Where the request stream ends. */
  public enum End {
    /** On the last DATA frame (HEADERS carries content-length). */
    DATA,
    /** On an empty DATA frame after the body (no content-length). */
    EMPTY_DATA,
    /** On a trailers HEADERS frame after the body (no content-length). */
    TRAILERS
  }

  /** The response stream as received. */
  public record Result(
      int status,
      byte[] body,
      List<String> frames,
      int endStreams,
      int framesAfterEnd,
      Map<String, String> headers,
      Map<String, String> trailers,
      String reset) {}

  private final Channel connection;

  /** GOAWAY frames received per connection: their last-stream-ids, in order. */
  private static final java.util.Map<Channel, List<Integer>> GOAWAYS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The last-stream-ids of the GOAWAY frames received so far, in order. */
  public List<Integer> goAways() {
    return GOAWAYS.getOrDefault(connection, List.of());
  }

  /** True once the server closed the connection. */
  public boolean closed() {
    return !connection.isActive();
  }

  private Http2Client(Channel connection) {
    this.connection = connection;
  }

  public static Http2Client connect(int port, boolean tls) throws InterruptedException {
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
                                if (msg
                                    instanceof io.netty.handler.codec.http2.Http2GoAwayFrame g) {
                                  GOAWAYS
                                      .computeIfAbsent(
                                          ctx.channel(),
                                          c -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                      .add(g.lastStreamId());
                                }
                                io.netty.util.ReferenceCountUtil.release(msg);
                              }
                            });
                  }
                })
            .connect("127.0.0.1", port)
            .sync()
            .channel();
    return new Http2Client(channel);
  }

  public Result post(
      String path, byte[] body, End end, Arrival arrival, Map<String, String> headers)
      throws Exception {
    ResponseRecorder recorder = new ResponseRecorder();
    Http2StreamChannel stream =
        new Http2StreamChannelBootstrap(connection).handler(recorder).open().sync().getNow();
    Http2Headers head =
        new DefaultHttp2Headers().method("POST").path(path).scheme("http").authority("localhost");
    headers.forEach(head::set);
    if (end == End.DATA) {
      head.setInt("content-length", body.length);
    }
    List<Object> frames = new ArrayList<>();
    boolean endOnHeaders = body.length == 0 && end == End.DATA;
    frames.add(new DefaultHttp2HeadersFrame(head, endOnHeaders));
    int chunk = arrival == Arrival.SMALL_WRITES ? 1024 : 16384;
    for (int i = 0; i < body.length; i += chunk) {
      int n = Math.min(chunk, body.length - i);
      boolean last = i + n == body.length && end == End.DATA;
      frames.add(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body, i, n), last));
    }
    if (end == End.EMPTY_DATA) {
      frames.add(new DefaultHttp2DataFrame(true));
    } else if (end == End.TRAILERS) {
      frames.add(
          new DefaultHttp2HeadersFrame(
              new DefaultHttp2Headers().set("x-trailer-check", "done"), true));
    }
    send(stream, frames, arrival);
    return recorder.result.get(Curl.MAX_SECONDS, TimeUnit.SECONDS);
  }

  private static void send(Http2StreamChannel stream, List<Object> frames, Arrival arrival)
      throws Exception {
    switch (arrival) {
      case PAUSE_AFTER_HEADERS -> {
        stream.writeAndFlush(frames.get(0)).sync();
        Thread.sleep(Arrival.PAUSE_MILLIS);
        writeAll(stream, frames.subList(1, frames.size()));
      }
      case LAST_BYTE_LATE -> {
        Object last = frames.get(frames.size() - 1);
        if (last instanceof Http2DataFrame data && data.content().readableBytes() > 1) {
          int n = data.content().readableBytes();
          frames.set(
              frames.size() - 1,
              new DefaultHttp2DataFrame(data.content().retainedSlice(0, n - 1), false));
          frames.add(
              new DefaultHttp2DataFrame(
                  data.content().retainedSlice(n - 1, 1), data.isEndStream()));
          data.release();
        }
        writeAll(stream, frames.subList(0, frames.size() - 1));
        Thread.sleep(Arrival.PAUSE_MILLIS);
        stream.writeAndFlush(frames.get(frames.size() - 1));
      }
      default -> writeAll(stream, frames);
    }
  }

  private static void writeAll(Http2StreamChannel stream, List<Object> frames) {
    for (Object frame : frames) {
      stream.write(frame);
    }
    stream.flush();
  }

  @Override
  public void close() {
    connection.close().syncUninterruptibly();
  }

  private static final class ResponseRecorder extends ChannelInboundHandlerAdapter {
    final CompletableFuture<Result> result = new CompletableFuture<>();
    private final List<String> frames = new ArrayList<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, String> trailers = new LinkedHashMap<>();
    private int status;
    private int endStreams;
    private int afterEnd;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (endStreams > 0) {
          afterEnd++;
        }
        if (msg instanceof Http2HeadersFrame frame) {
          boolean first = status == 0;
          if (first && frame.headers().status() != null) {
            int code = Integer.parseInt(frame.headers().status().toString());
            if (code / 100 == 1) {
              frames.add("HEADERS(" + code + ")");
              return;
            }
            status = code;
            frame
                .headers()
                .forEach(e -> headers.put(e.getKey().toString(), e.getValue().toString()));
          } else {
            frame
                .headers()
                .forEach(e -> trailers.put(e.getKey().toString(), e.getValue().toString()));
          }
          record(first ? "HEADERS" : "TRAILERS", frame.isEndStream());
        } else if (msg instanceof Http2DataFrame frame) {
          body.writeBytes(ByteBufUtil.getBytes(frame.content()));
          record("DATA(" + frame.content().readableBytes() + ")", frame.isEndStream());
        } else if (msg instanceof Http2ResetFrame reset) {
          frames.add("RST_STREAM(" + reset.errorCode() + ")");
          complete("RST_STREAM " + reset.errorCode());
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void record(String frame, boolean endStream) {
      frames.add(frame + (endStream ? "+END_STREAM" : ""));
      if (endStream) {
        endStreams++;
        complete(null);
      }
    }

    private void complete(String reset) {
      result.complete(
          new Result(
              status,
              body.toByteArray(),
              List.copyOf(frames),
              endStreams,
              afterEnd,
              Map.copyOf(headers),
              Map.copyOf(trailers),
              reset));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      // The multiplexer delivers an inbound RST_STREAM as a user event.
      if (evt instanceof Http2ResetFrame reset) {
        frames.add("RST_STREAM(" + reset.errorCode() + ")");
        complete("RST_STREAM " + reset.errorCode());
      }
      ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      complete("closed");
    }
  }
}
