package dev.sluice.sidecar.upstream;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Last handler of every upstream HTTP/1.1 connection: hands response objects to the exchange that
 * holds the lease; anything arriving while no exchange holds it (a pooled idle HTTP/1.1 connection)
 * is a protocol violation and closes the connection.
 */
public final class Http1UpstreamHandler extends ChannelInboundHandlerAdapter {
  private @Nullable UpstreamExchange exchange;
  private @Nullable Throwable failure;

  /** Binds the lease to an exchange, or to none when back in the pool. Event loop only. */
  public void bind(@Nullable UpstreamExchange newExchange) {
    this.exchange = newExchange;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (exchange != null && msg instanceof HttpObject http) {
      exchange.onResponseObject(http);
    } else {
      ReferenceCountUtil.release(msg);
      ChannelFuture unused = ctx.close(); // a protocol violation: the connection is done
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.onUpstreamWritabilityChanged(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    failure = cause;
    ChannelFuture unused = ctx.close(); // channelInactive tells the exchange
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    UpstreamExchange current = exchange;
    exchange = null;
    if (current != null) {
      current.onUpstreamClosed(failure != null ? failure : new IOException("upstream closed"));
    }
    ctx.fireChannelInactive();
  }
}
