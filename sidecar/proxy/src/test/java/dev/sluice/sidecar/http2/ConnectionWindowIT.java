package dev.sluice.sidecar.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Settings;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Invariant: both ends of every HTTP/2 connection Sluice makes or accepts open the connection-level
 * receive window right after the preface — to {@link FrameHandlers#CONNECTION_WINDOW}, or the
 * window a handler is built with (connections to upstreams open more, so their stalled streams
 * cannot exhaust it) — so concurrent streams are not held to the default 65,535 bytes per round
 * trip (measured: two 64 MiB uploads through one upstream connection went from 129 to 187 MiB/s).
 */
class ConnectionWindowIT {
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

  @AfterEach
  void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void bothEndsAdvertiseTheLargerConnectionWindowAfterThePreface() throws Exception {
    bothEndsAdvertise(FrameHandlers.CONNECTION_WINDOW, FrameHandlers.CONNECTION_WINDOW);
  }

  @Test
  void aClientBuiltWithALargerWindowAdvertisesIt() throws Exception {
    bothEndsAdvertise(FrameHandlers.CONNECTION_WINDOW, 50 << 20);
  }

  private void bothEndsAdvertise(int serverWindow, int clientWindow) throws Exception {
    CompletableFuture<FrameHandlers.Handler> server = new CompletableFuture<>();
    Channel listener =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    FrameHandlers.Handler handler =
                        FrameHandlers.handler(
                            true,
                            new Http2FrameAdapter(),
                            Http2Settings.defaultSettings(),
                            serverWindow);
                    ch.pipeline().addLast(handler);
                    server.complete(handler);
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
    FrameHandlers.Handler client =
        FrameHandlers.handler(
            false, new Http2FrameAdapter(), Http2Settings.defaultSettings(), clientWindow);
    Channel connection =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(client)
            .connect(listener.localAddress())
            .sync()
            .channel();
    FrameHandlers.Handler accepted = server.get(5, TimeUnit.SECONDS);
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(remoteConnectionWindow(accepted, connection))
                  .as("the client's window, as the server sees it")
                  .isEqualTo(clientWindow);
              assertThat(remoteConnectionWindow(client, connection))
                  .as("the server's window, as the client sees it")
                  .isEqualTo(serverWindow);
            });
    connection.close().sync();
    listener.close().sync();
  }

  /** The peer's connection window as {@code handler} sees it (read on the loop). */
  private static int remoteConnectionWindow(FrameHandlers.Handler handler, Channel any)
      throws Exception {
    return any.eventLoop()
        .submit(
            () ->
                handler
                    .connection()
                    .remote()
                    .flowController()
                    .windowSize(handler.connection().connectionStream()))
        .get(5, TimeUnit.SECONDS);
  }
}
