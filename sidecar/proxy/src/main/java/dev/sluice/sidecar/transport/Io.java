package dev.sluice.sidecar.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How the sidecar does I/O: the transport, and the allocators its channels use (tests count
 * allocations through them to prove the forwarding path copies nothing).
 *
 * @param transport epoll or NIO
 * @param allocator buffers for every sidecar channel
 * @param receive sizes socket reads; Netty's adaptive default when null
 */
public record Io(
    Transport transport, ByteBufAllocator allocator, @Nullable RecvByteBufAllocator receive) {

  public static Io defaults() {
    return new Io(Transport.best(), ByteBufAllocator.DEFAULT, null);
  }

  /**
   * A bootstrap for an upstream connection on {@code loop}: this transport and these allocators,
   * TCP_NODELAY, and the rule's connect timeout.
   */
  public Bootstrap upstream(EventLoop loop, Duration connectTimeout) {
    Bootstrap bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(transport.clientChannel())
            .option(ChannelOption.ALLOCATOR, allocator)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    if (receive != null) {
      bootstrap.option(ChannelOption.RECVBUF_ALLOCATOR, receive);
    }
    return bootstrap;
  }
}
