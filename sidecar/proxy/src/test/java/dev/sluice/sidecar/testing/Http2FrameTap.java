package dev.sluice.sidecar.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A byte-for-byte TCP relay on loopback in front of an h2c (prior knowledge) peer that reads the
 * HTTP/2 frames passing through it, both ways, without changing a byte: each stream's HEADERS
 * (header blocks HPACK-decoded, CONTINUATIONs joined), DATA and RST_STREAM frames with their
 * END_STREAM flags, per connection. What a well-behaved client and server exchanged through the
 * sidecar can then be checked on the wire: one END_STREAM per direction, nothing after it, which
 * frame carried it, and which fields crossed.
 */
public final class Http2FrameTap implements AutoCloseable {
  public static final int DATA = 0;
  public static final int HEADERS = 1;
  public static final int RST_STREAM = 3;
  public static final int CONTINUATION = 9;
  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes();

  /** Which way a frame went: from the side that connected to the tap, or back to it. */
  public enum Direction {
    TO_SERVER,
    TO_CLIENT
  }

  /**
   * One stream frame as it crossed.
   *
   * @param connection the tap's number of the TCP connection (streams are per connection)
   * @param errorCode RST_STREAM's error code; -1 for other frames
   * @param headers the decoded header block of a HEADERS frame (with its CONTINUATIONs); else null
   * @param dataBytes the payload length of a DATA frame
   */
  public record Frame(
      int connection,
      Direction direction,
      int type,
      int stream,
      boolean endStream,
      long errorCode,
      Http2Headers headers,
      int dataBytes) {
    @Override
    public String toString() {
      String name =
          switch (type) {
            case DATA -> "DATA(" + dataBytes + ")";
            case HEADERS -> "HEADERS" + headers.names();
            case RST_STREAM -> "RST_STREAM(" + errorCode + ")";
            default -> "FRAME(" + type + ")";
          };
      return connection
          + "/"
          + stream
          + " "
          + (direction == Direction.TO_SERVER ? "->" : "<-")
          + " "
          + name
          + (endStream ? " END_STREAM" : "");
    }
  }

  /** The frames of one stream of one connection, in the order they crossed. */
  public record Stream(int connection, int id, List<Frame> frames) {
    /** The frames that went {@code direction}. */
    public List<Frame> toward(Direction direction) {
      return frames.stream().filter(f -> f.direction() == direction).toList();
    }

    public boolean reset() {
      return frames.stream().anyMatch(f -> f.type() == RST_STREAM);
    }

    /** The frame that ended {@code direction}, or null. */
    public Frame endOf(Direction direction) {
      return toward(direction).stream().filter(Frame::endStream).findFirst().orElse(null);
    }

    /** Both directions ended (END_STREAM each way) or one side reset the stream. */
    public boolean settled() {
      return reset() || (endOf(Direction.TO_SERVER) != null && endOf(Direction.TO_CLIENT) != null);
    }

    /** The request head: the first HEADERS toward the server. */
    public Http2Headers requestHead() {
      return toward(Direction.TO_SERVER).stream()
          .filter(f -> f.type() == HEADERS)
          .findFirst()
          .orElseThrow()
          .headers();
    }
  }

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final InetSocketAddress target;
  private final Channel server;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Frame> frames = new ArrayList<>();

  /** A tap on an OS-picked loopback port relaying to {@code target}. */
  public Http2FrameTap(InetSocketAddress target) {
    this.target = target;
    this.server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new Downstream(connections.incrementAndGet()));
                  }
                })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  /** host:port of the tap. */
  public String hostPort() {
    return "127.0.0.1:" + address().getPort();
  }

  /** How many frames crossed so far: a mark for {@link #streamsSince}. */
  public synchronized int mark() {
    return frames.size();
  }

  /** The streams whose first HEADERS crossed at or after {@code mark}, in the order they opened. */
  public synchronized List<Stream> streamsSince(int mark) {
    Map<Long, List<Frame>> byStream = new LinkedHashMap<>();
    for (int i = mark; i < frames.size(); i++) {
      Frame frame = frames.get(i);
      long key = ((long) frame.connection() << 32) | frame.stream();
      if (frame.type() == HEADERS && frame.direction() == Direction.TO_SERVER) {
        byStream.putIfAbsent(key, new ArrayList<>());
      }
      List<Frame> stream = byStream.get(key);
      if (stream != null) {
        stream.add(frame);
      }
    }
    List<Stream> streams = new ArrayList<>();
    byStream.forEach(
        (key, list) -> streams.add(new Stream((int) (key >>> 32), key.intValue(), list)));
    return streams;
  }

  private synchronized void record(Frame frame) {
    frames.add(frame);
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** The accepted side: connects to the target, then relays both ways, one read per write. */
  private final class Downstream extends ChannelInboundHandlerAdapter {
    private final int connection;
    private Channel upstream;
    private final FrameReader reader;

    Downstream(int connection) {
      this.connection = connection;
      this.reader = new FrameReader(connection, Direction.TO_SERVER);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel inbound = ctx.channel();
      ChannelFuture connect =
          new Bootstrap()
              .group(inbound.eventLoop())
              .channel(NioSocketChannel.class)
              .option(ChannelOption.AUTO_READ, false)
              .handler(new Upstream(inbound, new FrameReader(connection, Direction.TO_CLIENT)))
              .connect(target);
      upstream = connect.channel();
      connect.addListener(
          (ChannelFutureListener)
              f -> {
                if (f.isSuccess()) {
                  inbound.read();
                  upstream.read();
                } else {
                  inbound.close();
                }
              });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      relay((ByteBuf) msg, reader, ctx.channel(), upstream);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closeAfterFlush(upstream);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** The connection to the target: relays back to the accepted side. */
  private final class Upstream extends ChannelInboundHandlerAdapter {
    private final Channel inbound;
    private final FrameReader reader;

    Upstream(Channel inbound, FrameReader reader) {
      this.inbound = inbound;
      this.reader = reader;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      relay((ByteBuf) msg, reader, ctx.channel(), inbound);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closeAfterFlush(inbound);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Reads the frames in {@code bytes}, then passes the same bytes on (ownership passes). */
  private static void relay(ByteBuf bytes, FrameReader reader, Channel from, Channel to) {
    reader.feed(bytes);
    to.writeAndFlush(bytes)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    from.read();
                  } else {
                    from.close();
                  }
                });
  }

  private static void closeAfterFlush(Channel channel) {
    if (channel != null && channel.isActive()) {
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Frame boundaries of one direction of one connection, fed the bytes as they cross. */
  private final class FrameReader {
    private final int connection;
    private final Direction direction;
    private final DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(false, 1 << 20);
    private int prefaceLeft;
    private final byte[] head = new byte[9];
    private int headFill;
    private int type;
    private int flags;
    private int stream;
    private int length;
    private int payloadLeft;
    private final ByteArrayOutputStream payload = new ByteArrayOutputStream();

    /** The header block being joined (HEADERS without END_HEADERS, then CONTINUATIONs). */
    private final ByteArrayOutputStream block = new ByteArrayOutputStream();

    private int blockStream;
    private boolean blockEndsStream;

    FrameReader(int connection, Direction direction) {
      this.connection = connection;
      this.direction = direction;
      this.prefaceLeft = direction == Direction.TO_SERVER ? PREFACE.length : 0;
      try {
        hpack.maxHeaderTableSize(1 << 16);
      } catch (Http2Exception e) {
        throw new IllegalStateException(e);
      }
    }

    void feed(ByteBuf in) {
      int at = in.readerIndex();
      int end = in.writerIndex();
      while (at < end) {
        if (prefaceLeft > 0) {
          int n = Math.min(prefaceLeft, end - at);
          prefaceLeft -= n;
          at += n;
        } else if (headFill < head.length) {
          head[headFill++] = in.getByte(at++);
          if (headFill == head.length) {
            startFrame();
          }
        } else {
          int n = Math.min(payloadLeft, end - at);
          if (keepsPayload()) {
            byte[] chunk = new byte[n];
            in.getBytes(at, chunk);
            payload.write(chunk, 0, n);
          }
          at += n;
          payloadLeft -= n;
          if (payloadLeft == 0) {
            endFrame();
          }
        }
      }
    }

    private boolean keepsPayload() {
      return type == HEADERS || type == CONTINUATION || type == RST_STREAM;
    }

    private void startFrame() {
      length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | (head[2] & 0xff);
      type = head[3] & 0xff;
      flags = head[4] & 0xff;
      stream =
          (head[5] & 0x7f) << 24
              | (head[6] & 0xff) << 16
              | (head[7] & 0xff) << 8
              | (head[8] & 0xff);
      payloadLeft = length;
      payload.reset();
      if (length == 0) {
        endFrame();
      }
    }

    private void endFrame() {
      headFill = 0;
      byte[] bytes = payload.toByteArray();
      boolean endStream = (flags & 0x1) != 0;
      switch (type) {
        case DATA ->
            record(new Frame(connection, direction, DATA, stream, endStream, -1, null, length));
        case HEADERS -> {
          int from = 0;
          int to = bytes.length;
          if ((flags & 0x8) != 0) { // PADDED
            to -= bytes[0] & 0xff;
            from = 1;
          }
          if ((flags & 0x20) != 0) { // PRIORITY
            from += 5;
          }
          block.reset();
          block.write(bytes, from, to - from);
          blockStream = stream;
          blockEndsStream = endStream;
          if ((flags & 0x4) != 0) {
            headerBlockDone();
          }
        }
        case CONTINUATION -> {
          block.write(bytes, 0, bytes.length);
          if ((flags & 0x4) != 0) {
            headerBlockDone();
          }
        }
        case RST_STREAM -> {
          long code =
              ((long) (bytes[0] & 0xff) << 24)
                  | (bytes[1] & 0xff) << 16
                  | (bytes[2] & 0xff) << 8
                  | (bytes[3] & 0xff);
          record(new Frame(connection, direction, RST_STREAM, stream, false, code, null, 0));
        }
        default -> {} // connection frames and WINDOW_UPDATE: not a stream's content
      }
    }

    private void headerBlockDone() {
      ByteBuf bytes = Unpooled.wrappedBuffer(block.toByteArray());
      try {
        Http2Headers headers = hpack.decodeHeaders(blockStream, bytes);
        record(
            new Frame(
                connection, direction, HEADERS, blockStream, blockEndsStream, -1, headers, 0));
      } catch (Http2Exception e) {
        throw new IllegalStateException("undecodable header block on stream " + blockStream, e);
      } finally {
        bytes.release();
      }
    }
  }
}
