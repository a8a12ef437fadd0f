package dev.sluice.sidecar.upstream;

import dev.sluice.sidecar.config.HostPort;
import dev.sluice.sidecar.flow.CoalescedFlushes;
import dev.sluice.sidecar.flow.OneMessagePerRead;
import dev.sluice.sidecar.transport.Io;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/1.1 keep-alive connections to one endpoint of an upstream on one event loop. Event-loop
 * confined: no locks. At most {@code maxConnections} connections; acquirers beyond that wait
 * (bounded by their connect timeout) for one to come back.
 */
final class Http1LoopPool implements UpstreamPool.LoopPool {
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
  private static final long IDLE_NANOS = IDLE_TIMEOUT.toNanos();

  private final EventLoop loop;
  private final Io io;
  private final HostPort endpoint;
  private final int maxConnections;

  /** Idle connections, oldest first; reuse takes the newest (warm, least likely closed). */
  private final ArrayDeque<Idle> idle = new ArrayDeque<>();

  private final Set<Channel> tunnels = new HashSet<>();

  private final ArrayDeque<Promise<UpstreamLease>> waiters = new ArrayDeque<>();
  private int open;
  private boolean closed;

  /** Closes connections idle for {@link #IDLE_TIMEOUT}: one timer per pool, not per request. */
  private @Nullable ScheduledFuture<?> sweeper;

  private record Idle(Channel channel, long since) {}

  Http1LoopPool(EventLoop loop, Io io, HostPort endpoint, int maxConnections) {
    this.loop = loop;
    this.io = io;
    this.endpoint = endpoint;
    this.maxConnections = maxConnections;
  }

  @Override
  public Future<UpstreamLease> acquire(Duration connectTimeout) {
    Promise<UpstreamLease> promise = loop.newPromise();
    Idle entry;
    while ((entry = idle.pollLast()) != null) {
      if (entry.channel().isActive()) {
        promise.setSuccess(lease(entry.channel()));
        return promise;
      }
    }
    if (open < maxConnections) {
      connect(promise, connectTimeout);
    } else {
      waiters.add(promise);
      Http1ConnectionLease.failAfter(loop, promise, connectTimeout, () -> waiters.remove(promise));
    }
    return promise;
  }

  private void connect(Promise<UpstreamLease> promise, Duration connectTimeout) {
    open++;
    ChannelFuture connecting =
        io.upstream(loop, connectTimeout)
            .option(ChannelOption.AUTO_READ, false)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    CoalescedFlushes.install(ch.pipeline());
                    ch.pipeline()
                        .addLast("http1", new HttpClientCodec())
                        .addLast("flow", new OneMessagePerRead())
                        .addLast("exchange", new Http1UpstreamHandler());
                  }
                })
            .connect(endpoint.host(), endpoint.port());
    connecting.addListener(
        (ChannelFuture f) -> {
          if (!f.isSuccess()) {
            open--;
            promise.tryFailure(f.cause());
            serveWaiter();
            return;
          }
          Channel channel = f.channel();
          channel.closeFuture().addListener(c -> onClosed(channel));
          if (!promise.trySuccess(lease(channel))) {
            ChannelFuture unused = channel.close(); // the acquirer gave up meanwhile
          }
        });
  }

  private void onClosed(Channel channel) {
    open--;
    idle.removeIf(entry -> entry.channel() == channel);
    serveWaiter();
  }

  private void serveWaiter() {
    Promise<UpstreamLease> waiter = waiters.poll();
    if (waiter != null && !closed) {
      connect(waiter, Duration.ofSeconds(5));
    } else if (waiter != null) {
      waiter.tryFailure(new ConnectException("endpoint " + endpoint + " left the upstream"));
    }
  }

  private void giveBack(Channel channel, boolean reusable) {
    if (!reusable || closed || !channel.isActive()) {
      ChannelFuture unused = channel.close(); // not reused: nothing waits for the close
      return;
    }
    Promise<UpstreamLease> waiter;
    while ((waiter = waiters.poll()) != null) {
      if (waiter.trySuccess(lease(channel))) {
        return;
      }
    }
    idle.addLast(new Idle(channel, System.nanoTime()));
    // A pending read lets us notice the server closing an idle connection.
    channel.read();
    scheduleSweep();
  }

  private void scheduleSweep() {
    Idle oldest = idle.peekFirst();
    if (sweeper != null || oldest == null || closed) {
      return;
    }
    long due = oldest.since() + IDLE_NANOS - System.nanoTime();
    sweeper = loop.schedule(this::sweep, Math.max(due, 0), TimeUnit.NANOSECONDS);
  }

  @SuppressWarnings("FutureReturnValueIgnored") // closing idle connections: nothing waits
  private void sweep() {
    sweeper = null;
    long now = System.nanoTime();
    Idle oldest;
    while ((oldest = idle.peekFirst()) != null && now - oldest.since() >= IDLE_NANOS) {
      idle.pollFirst().channel().close();
    }
    scheduleSweep();
  }

  @Override
  @SuppressWarnings("FutureReturnValueIgnored") // closing tunnels at a drain's end: nothing waits
  public void close() {
    retire();
    new ArrayList<>(tunnels).forEach(Channel::close);
  }

  /**
   * The endpoint left the upstream: idle connections close, waiters fail (and try elsewhere),
   * connections in use close once given back; tunnels go on. True while tunnels remain.
   */
  @Override
  @SuppressWarnings("FutureReturnValueIgnored") // closing idle connections: nothing waits
  public boolean retire() {
    closed = true;
    if (sweeper != null) {
      sweeper.cancel(false);
    }
    new ArrayDeque<>(idle).forEach(entry -> entry.channel().close());
    idle.clear();
    Promise<UpstreamLease> waiter;
    while ((waiter = waiters.poll()) != null) {
      waiter.tryFailure(new ConnectException("endpoint " + endpoint + " left the upstream"));
    }
    return !tunnels.isEmpty();
  }

  private UpstreamLease lease(Channel channel) {
    return new Http1ConnectionLease(channel, this::giveBack, this::tunneled);
  }

  /** A connection now carries a tunnel: closed with the pool (a drain's end), if not before. */
  private void tunneled(Channel channel) {
    tunnels.add(channel);
    channel.closeFuture().addListener(f -> tunnels.remove(channel));
  }
}
