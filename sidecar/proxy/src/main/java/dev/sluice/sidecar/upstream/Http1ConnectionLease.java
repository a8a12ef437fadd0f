package dev.sluice.sidecar.upstream;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A lease on a pooled HTTP/1.1 connection: request objects written to it, response objects read
 * from it through its {@link Http1UpstreamHandler}; hands the connection back exactly once.
 */
final class Http1ConnectionLease implements UpstreamLease {
  private final Channel channel;
  private final BiConsumer<Channel, Boolean> giveBack;
  private final Consumer<Channel> tunneled;
  private boolean released;

  /**
   * {@code giveBack}: the pool takes the connection back (or closes it); {@code tunneled}: the pool
   * keeps a connection handed over to a tunnel, to close it with the pool.
   */
  Http1ConnectionLease(
      Channel channel, BiConsumer<Channel, Boolean> giveBack, Consumer<Channel> tunneled) {
    this.channel = channel;
    this.giveBack = giveBack;
    this.tunneled = tunneled;
  }

  @Override
  public Channel takeForTunnel() {
    bind(null);
    // The codec passes what followed the 101 on as bytes (its upgraded state) to the flow
    // handler's queue; removing it hands over anything it still holds the same way.
    channel.pipeline().remove("http1");
    channel.pipeline().remove(Http1UpstreamHandler.class);
    tunneled.accept(channel);
    return channel;
  }

  @Override
  public ChannelFuture write(HttpObject msg) {
    return channel.writeAndFlush(msg);
  }

  @Override
  public boolean isWritable() {
    return channel.isWritable();
  }

  @Override
  public void read() {
    channel.read();
  }

  @Override
  public void bind(@Nullable UpstreamExchange exchange) {
    Http1UpstreamHandler handler = handler();
    if (handler != null) {
      handler.bind(exchange);
    }
  }

  @Override
  public ByteBufAllocator alloc() {
    return channel.alloc();
  }

  @Override
  public @Nullable String endpoint() {
    return Addresses.hostPort(channel.remoteAddress());
  }

  @Override
  public String toString() {
    return channel.toString();
  }

  private Http1UpstreamHandler handler() {
    return channel.pipeline().get(Http1UpstreamHandler.class);
  }

  @Override
  public boolean http2() {
    return false;
  }

  @Override
  public boolean acceptsExtendedConnect() {
    return false; // HTTP/1.1: an upgrade, never an extended CONNECT
  }

  @Override
  public void tunneled() {} // its connection is handed over whole: takeForTunnel

  @Override
  public void release(boolean reusable) {
    if (released) {
      return;
    }
    released = true;
    bind(null);
    giveBack.accept(channel, reusable);
  }

  /**
   * Fails a waiting acquirer once its connect timeout passes ({@code dequeue} removes it from the
   * pool's queue and says whether it was still there).
   */
  static void failAfter(
      EventLoop loop, Promise<UpstreamLease> waiter, Duration timeout, BooleanSupplier dequeue) {
    ScheduledFuture<?> expiry =
        loop.schedule(
            () -> {
              if (dequeue.getAsBoolean()) {
                waiter.tryFailure(
                    new NoConnectionAvailableException(
                        "no upstream connection or stream became available within " + timeout));
              }
            },
            timeout.toNanos(),
            TimeUnit.NANOSECONDS);
    waiter.addListener(f -> expiry.cancel(false));
  }
}
