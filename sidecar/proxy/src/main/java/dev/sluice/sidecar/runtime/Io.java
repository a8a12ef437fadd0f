package dev.sluice.sidecar.runtime;

import io.netty.bootstrap.AbstractBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.RecvByteBufAllocator;

/**
 * How the sidecar does I/O: the transport, and the allocators its channels use (tests count
 * allocations through them to prove the forwarding path copies nothing).
 *
 * @param transport epoll or NIO
 * @param allocator buffers for every sidecar channel
 * @param receive sizes socket reads; null: Netty's adaptive default
 */
public record Io(Transport transport, ByteBufAllocator allocator, RecvByteBufAllocator receive) {

  public static Io defaults() {
    return new Io(Transport.best(), ByteBufAllocator.DEFAULT, null);
  }

  /** Applies the allocators to a client bootstrap (upstream connections). */
  public <B extends AbstractBootstrap<B, ?>> B configure(B bootstrap) {
    bootstrap.option(ChannelOption.ALLOCATOR, allocator);
    if (receive != null) {
      bootstrap.option(ChannelOption.RCVBUF_ALLOCATOR, receive);
    }
    return bootstrap;
  }
}
