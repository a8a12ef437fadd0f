package dev.sluice.sidecar.upstream;

import dev.sluice.sidecar.config.HostPort;
import dev.sluice.sidecar.config.Upstream;
import dev.sluice.sidecar.transport.Io;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * Connections to one upstream (one {@link Upstream} config; rules with equal upstreams share it).
 * Each event loop has its own sub-pool, so an upstream channel always lives on the event loop of
 * the downstream channel it serves: no cross-thread hand-offs on the forwarding path.
 */
public final class UpstreamPool implements LeaseSource, AutoCloseable {
  private final Upstream config;
  private final List<HostPort> endpoints;
  private final Io io;
  private final @Nullable SslContext tls;
  private final ConcurrentMap<EventLoop, LoopPool> pools = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** What every per-loop pool offers. */
  interface LoopPool {
    Future<UpstreamLease> acquire(Duration connectTimeout);

    void close();
  }

  public UpstreamPool(Upstream config, Io io) {
    this.config = config;
    this.endpoints = config.endpoints().stream().map(HostPort::parse).toList();
    this.io = io;
    this.tls = config.protocol() == Upstream.Protocol.H2 ? UpstreamTlsContexts.build(config) : null;
  }

  /** A lease on {@code loop}: an idle or new HTTP/1.1 connection, or a new HTTP/2 stream. */
  @Override
  public Future<UpstreamLease> acquire(EventLoop loop, Duration connectTimeout) {
    if (closed) {
      return loop.newFailedFuture(new IllegalStateException("upstream pool closed"));
    }
    LoopPool known = pools.get(loop); // the common case allocates nothing
    LoopPool pool = known != null ? known : pools.computeIfAbsent(loop, this::newLoopPool);
    if (loop.inEventLoop()) {
      return pool.acquire(connectTimeout);
    }
    Promise<UpstreamLease> promise = loop.newPromise();
    loop.execute(() -> pool.acquire(connectTimeout).addListener(f -> relay(f, promise)));
    return promise;
  }

  private LoopPool newLoopPool(EventLoop loop) {
    return config.protocol() == Upstream.Protocol.HTTP1
        ? new Http1LoopPool(loop, io, endpoints, config.maxConnectionsPerEndpoint())
        : new Http2LoopPool(loop, io, endpoints, config.maxConnectionsPerEndpoint(), tls, config);
  }

  @SuppressWarnings("unchecked")
  private static void relay(Future<?> from, Promise<UpstreamLease> to) {
    if (from.isSuccess()) {
      to.setSuccess((UpstreamLease) from.getNow());
    } else {
      to.setFailure(from.cause());
    }
  }

  public Upstream config() {
    return config;
  }

  /** Closes every connection (the generation that owned the pool has drained). */
  @Override
  public void close() {
    closed = true;
    pools.forEach((loop, pool) -> loop.execute(pool::close));
  }
}
