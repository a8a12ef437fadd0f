package dev.sluice.sidecar.upstream;

import dev.sluice.sidecar.config.HostPort;
import dev.sluice.sidecar.config.Upstream;
import dev.sluice.sidecar.transport.Io;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/2 connections to one endpoint of an upstream on one event loop; each lease is a new stream.
 * A connection takes streams up to the peer's MAX_CONCURRENT_STREAMS; past that a new connection
 * opens (up to {@code maxConnections}), and beyond that acquirers wait. A connection that got
 * GOAWAY, or whose endpoint left the upstream, takes no new streams and closes once its streams
 * end.
 */
final class Http2LoopPool implements UpstreamPool.LoopPool {
  private final EventLoop loop;
  private final Io io;
  private final HostPort endpoint;
  private final int maxConnections;
  private final @Nullable SslContext tls;
  private final @Nullable String serverName;
  private final List<Http2UpstreamConnection> connections = new ArrayList<>();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private int connecting;
  private boolean closed;

  private record Waiter(Promise<UpstreamLease> promise, Duration connectTimeout) {}

  Http2LoopPool(
      EventLoop loop,
      Io io,
      HostPort endpoint,
      int maxConnections,
      @Nullable SslContext tls,
      Upstream config) {
    this.loop = loop;
    this.io = io;
    this.endpoint = endpoint;
    this.maxConnections = maxConnections;
    this.tls = tls;
    this.serverName = config.tls() == null ? null : config.tls().serverName();
  }

  @Override
  public Future<UpstreamLease> acquire(Duration connectTimeout) {
    Promise<UpstreamLease> promise = loop.newPromise();
    Http2UpstreamConnection connection = available();
    if (connection != null) {
      connection.openStream(promise);
    } else {
      waiters.add(new Waiter(promise, connectTimeout));
      Http1ConnectionLease.failAfter(
          loop, promise, connectTimeout, () -> waiters.removeIf(w -> w.promise() == promise));
      if (connecting == 0 && connections.size() < maxConnections) {
        connect(connectTimeout);
      }
    }
    return promise;
  }

  private @Nullable Http2UpstreamConnection available() {
    for (Http2UpstreamConnection connection : connections) {
      if (connection.canOpenStream()) {
        return connection;
      }
    }
    return null;
  }

  private void connect(Duration connectTimeout) {
    connecting++;
    Http2UpstreamConnection connection = new Http2UpstreamConnection(this::onCapacity);
    ChannelFuture future =
        io.upstream(loop, connectTimeout)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    connection.initPipeline(
                        ch,
                        tls,
                        serverName != null ? serverName : endpoint.host(),
                        endpoint.port());
                  }
                })
            .connect(endpoint.host(), endpoint.port());
    future.addListener(
        (ChannelFuture f) -> {
          if (!f.isSuccess()) {
            connecting--;
            failWaiters(f.cause());
            return;
          }
          connection
              .ready()
              .addListener(
                  ready -> {
                    connecting--;
                    if (!ready.isSuccess()) {
                      ChannelFuture unused = f.channel().close(); // it never became usable
                      failWaiters(ready.cause());
                      return;
                    }
                    connections.add(connection);
                    f.channel().closeFuture().addListener(c -> onConnectionClosed(connection));
                    if (closed) {
                      ChannelFuture unused = f.channel().close(); // the pool closed meanwhile
                    }
                    onCapacity();
                  });
        });
  }

  private void onConnectionClosed(Http2UpstreamConnection connection) {
    connections.remove(connection);
    onCapacity();
  }

  /** A connection has room again (stream ended, SETTINGS raised the limit, new connection). */
  private void onCapacity() {
    Waiter waiter;
    while ((waiter = waiters.peek()) != null) {
      if (waiter.promise().isDone()) {
        waiters.poll();
        continue;
      }
      Http2UpstreamConnection connection = available();
      if (connection == null) {
        if (connecting == 0 && connections.size() < maxConnections && !closed) {
          connect(waiter.connectTimeout());
        }
        return;
      }
      waiters.poll();
      connection.openStream(waiter.promise());
    }
  }

  private void failWaiters(Throwable cause) {
    Waiter waiter;
    while ((waiter = waiters.poll()) != null) {
      waiter.promise().tryFailure(cause);
    }
  }

  @Override
  public void close() {
    retire();
    // A drain's end: the streams that carry tunnels, which would never end by themselves, go now.
    new ArrayList<>(connections).forEach(Http2UpstreamConnection::closeForDrain);
  }

  /**
   * The endpoint left the upstream: waiters fail (and try elsewhere), every connection takes no new
   * stream and closes once its streams ended; tunnels go on. True while tunnels remain.
   */
  @Override
  public boolean retire() {
    closed = true;
    failWaiters(new ConnectException("endpoint " + endpoint + " left the upstream"));
    new ArrayList<>(connections).forEach(Http2UpstreamConnection::closeWhenIdle);
    return connections.stream().anyMatch(Http2UpstreamConnection::carriesTunnels);
  }
}
