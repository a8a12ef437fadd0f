package dev.sluice.sidecar.upstream;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * A lease on a pooled channel (an HTTP/1.1 connection or an HTTP/2 stream): unbinds the exchange
 * and hands the channel back to its pool exactly once.
 */
final class ChannelLease implements UpstreamLease {
  private final Channel channel;
  private final boolean http2;
  private final BiConsumer<Channel, Boolean> giveBack;
  private boolean released;

  ChannelLease(Channel channel, boolean http2, BiConsumer<Channel, Boolean> giveBack) {
    this.channel = channel;
    this.http2 = http2;
    this.giveBack = giveBack;
  }

  @Override
  public Channel channel() {
    return channel;
  }

  @Override
  public UpstreamExchangeHandler handler() {
    return channel.pipeline().get(UpstreamExchangeHandler.class);
  }

  @Override
  public boolean http2() {
    return http2;
  }

  @Override
  public void release(boolean reusable) {
    if (released) {
      return;
    }
    released = true;
    UpstreamExchangeHandler handler = handler();
    if (handler != null) {
      handler.bind(null);
    }
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
                    new ConnectException(
                        "no upstream connection or stream became available within " + timeout));
              }
            },
            timeout.toNanos(),
            TimeUnit.NANOSECONDS);
    waiter.addListener(f -> expiry.cancel(false));
  }
}
