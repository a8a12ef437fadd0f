package dev.sluice.sidecar.flow;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Delivers one decoded message per {@code read()} on a channel with auto-read off, holding the rest
 * (a socket read can decode into several messages: pipelined HTTP/1.1 requests, body chunks). This
 * is what keeps an HTTP/1.1 connection to one exchange at a time and lets the forwarding path pull
 * exactly as fast as the other side drains.
 *
 * <p>Unlike Netty's FlowControlHandler it is safe when {@code read()} is called from inside {@code
 * channelRead} (a write that completes synchronously asks for the next message right away):
 * delivery is an iterative loop, and a nested read only raises the demand flag it checks.
 *
 * <p>Owns the queued messages; releases them when the channel closes or the handler leaves.
 */
public final class OneMessagePerRead extends ChannelDuplexHandler {
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  private boolean wanted;
  private boolean delivering;

  @Override
  public void read(ChannelHandlerContext ctx) {
    wanted = true;
    deliver(ctx);
    if (wanted && queue.isEmpty()) {
      ctx.read();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    queue.add(msg);
    deliver(ctx);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // Read-complete follows deliveries only; a held message has not been "read" yet.
    if (queue.isEmpty()) {
      ctx.fireChannelReadComplete();
    }
  }

  private void deliver(ChannelHandlerContext ctx) {
    if (delivering) {
      return; // the loop below sees the new demand
    }
    delivering = true;
    try {
      while (wanted && !queue.isEmpty()) {
        wanted = false;
        ctx.fireChannelRead(queue.poll());
      }
    } finally {
      delivering = false;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // Deliver what was decoded before the close (e.g. the last content before a FIN), in order.
    wanted = true;
    while (!queue.isEmpty()) {
      ctx.fireChannelRead(queue.poll());
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    Object msg;
    while ((msg = queue.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }
}
