package dev.sluice.sidecar.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A test backend on loopback that records every request it receives (keyed by the {@code x-test-id}
 * header) and answers after the request has ended, with the body's SHA-256 as the response body.
 * HTTP/1.1 or HTTP/2 cleartext (prior knowledge).
 */
public final class RecordingUpstream implements AutoCloseable {
  public static final String TEST_ID = "x-test-id";

  /** Request header asking for a response that ends with trailers (x-request-sha256). */
  public static final String RESPOND_WITH_TRAILERS = "x-respond-with-trailers";

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Map<String, ReceivedRequest> received = new ConcurrentHashMap<>();
  private final Channel server;

  private RecordingUpstream(Consumer<Channel> pipeline) {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    pipeline.accept(ch);
                  }
                })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
  }

  public static RecordingUpstream http1() {
    RecordingUpstream[] self = new RecordingUpstream[1];
    self[0] =
        new RecordingUpstream(ch -> Http1Recorder.install(ch, id -> self[0].record(id), true));
    return self[0];
  }

  /** HTTP/1.1 that reads no faster than {@code bytesPerSecond}. */
  public static RecordingUpstream http1Slow(long bytesPerSecond) {
    RecordingUpstream[] self = new RecordingUpstream[1];
    self[0] =
        new RecordingUpstream(
            ch -> {
              ch.pipeline().addLast(new Throttle(bytesPerSecond));
              Http1Recorder.install(ch, id -> self[0].record(id), true);
            });
    return self[0];
  }

  /**
   * HTTP/1.1 that answers {@code Connection: close}: every exchange needs a new upstream
   * connection, so request chunks pile up on the sidecar while it connects.
   */
  public static RecordingUpstream http1NoReuse() {
    RecordingUpstream[] self = new RecordingUpstream[1];
    self[0] =
        new RecordingUpstream(ch -> Http1Recorder.install(ch, id -> self[0].record(id), false));
    return self[0];
  }

  /** HTTP/2 over TLS with ALPN h2 (self-signed certificate for localhost). */
  public static RecordingUpstream h2Tls() {
    io.netty.handler.ssl.SslContext tls =
        TestTls.server(io.netty.handler.ssl.ApplicationProtocolNames.HTTP_2);
    RecordingUpstream[] self = new RecordingUpstream[1];
    self[0] =
        new RecordingUpstream(
            ch -> {
              ch.pipeline().addLast(tls.newHandler(ch.alloc()));
              Http2Recorder.install(ch, id -> self[0].record(id));
            });
    return self[0];
  }

  /** h2c with the given flow-control behaviour. */
  public static RecordingUpstream h2c(Http2Recorder.FlowControl flow) {
    RecordingUpstream[] self = new RecordingUpstream[1];
    self[0] =
        new RecordingUpstream(ch -> Http2Recorder.install(ch, id -> self[0].record(id), flow));
    return self[0];
  }

  /**
   * h2c whose first connection sends GOAWAY right after its first stream (like a server shutting
   * down) and closes after answering it; later connections serve normally.
   */
  public static RecordingUpstream h2cGoAwayOnFirstConnection() {
    RecordingUpstream[] self = new RecordingUpstream[1];
    java.util.concurrent.atomic.AtomicInteger connections =
        new java.util.concurrent.atomic.AtomicInteger();
    self[0] =
        new RecordingUpstream(
            ch -> {
              if (connections.getAndIncrement() == 0) {
                Http2Recorder.installOneStreamPerConnection(ch, id -> self[0].record(id));
              } else {
                Http2Recorder.install(ch, id -> self[0].record(id));
              }
            });
    return self[0];
  }

  public static RecordingUpstream h2c() {
    RecordingUpstream[] self = new RecordingUpstream[1];
    self[0] = new RecordingUpstream(ch -> Http2Recorder.install(ch, id -> self[0].record(id)));
    return self[0];
  }

  ReceivedRequest record(String id) {
    return received.computeIfAbsent(id == null ? "none" : id, k -> new ReceivedRequest());
  }

  /** What arrived for {@code id}, or null. */
  public ReceivedRequest received(String id) {
    return received.get(id);
  }

  public String address() {
    InetSocketAddress address = (InetSocketAddress) server.localAddress();
    return "127.0.0.1:" + address.getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
