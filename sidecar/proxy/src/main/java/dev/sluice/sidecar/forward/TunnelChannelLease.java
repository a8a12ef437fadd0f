package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.upstream.UpstreamExchange;
import dev.sluice.sidecar.upstream.UpstreamLease;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP/1.1 upstream connection after its {@code 101}, as the lease a {@link StreamTunnel} reads
 * and writes: bytes read come as contents (the buffer read is the one handed on), contents written
 * go as their bytes, and the last one half-closes the connection (the client's END_STREAM). Its
 * close is the end of its direction: an empty last content, then the close. The channel reads on
 * demand (auto-read off); HTTP objects left over from the handshake are skipped. Event-loop
 * confined.
 */
final class TunnelChannelLease extends ChannelDuplexHandler implements UpstreamLease {
  private final Channel channel;
  private @Nullable UpstreamExchange tunnel;
  private boolean released;

  private TunnelChannelLease(Channel channel) {
    this.channel = channel;
  }

  /** Joins {@code channel} (its HTTP handlers removed) as a lease. */
  static TunnelChannelLease of(Channel channel) {
    TunnelChannelLease lease = new TunnelChannelLease(channel);
    channel.pipeline().addLast("stream-tunnel", lease);
    return lease;
  }

  @Override
  public ChannelFuture write(HttpObject msg) {
    if (!(msg instanceof HttpContent content) || released) {
      ReferenceCountUtil.release(msg);
      return channel.newFailedFuture(new IOException("the tunnel's upstream takes bytes only"));
    }
    ChannelFuture written = channel.writeAndFlush(content.content()); // the buffer passes on
    if (msg instanceof LastHttpContent && channel instanceof DuplexChannel duplex) {
      written.addListener(
          f -> {
            if (f.isSuccess()) {
              ChannelFuture unused = duplex.shutdownOutput(); // a failure closes the channel
            }
          });
    }
    return written;
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
    tunnel = exchange;
  }

  @Override
  public ByteBufAllocator alloc() {
    return channel.alloc();
  }

  @Override
  public boolean http2() {
    return false;
  }

  @Override
  public @Nullable Channel takeForTunnel() {
    return null; // it carries a tunnel already
  }

  @Override
  public boolean acceptsExtendedConnect() {
    return false;
  }

  @Override
  public void tunneled() {}

  /** Closes the connection once what was written is on the wire. */
  @Override
  public void release(boolean reusable) {
    if (released) {
      return;
    }
    released = true;
    tunnel = null;
    if (!channel.isActive()) {
      ChannelFuture unused = channel.close();
      return;
    }
    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public String toString() {
    return channel.toString();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    UpstreamExchange to = tunnel;
    if (to != null && msg instanceof ByteBuf bytes) {
      to.onResponseObject(new DefaultHttpContent(bytes));
      return;
    }
    ReferenceCountUtil.release(msg); // after the end, or the handshake's empty last content
    if (to != null) {
      ctx.read();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    UpstreamExchange to = tunnel;
    if (to != null) {
      to.onUpstreamWritabilityChanged(channel.isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  /** The upstream closed: the end of its direction, then of the connection. */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    UpstreamExchange to = tunnel;
    if (to != null) {
      to.onResponseObject(LastHttpContent.EMPTY_LAST_CONTENT);
      to.onUpstreamClosed(new IOException("upstream closed the connection"));
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    UpstreamExchange to = tunnel;
    if (to != null) {
      to.onUpstreamClosed(cause);
    }
    ChannelFuture unused = ctx.close();
  }
}
