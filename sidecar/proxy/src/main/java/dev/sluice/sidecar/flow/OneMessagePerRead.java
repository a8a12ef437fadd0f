package dev.sluice.sidecar.flow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Delivers one decoded message per {@code read()} on a channel with auto-read off, holding the rest
 * (a socket read can decode into several messages: pipelined HTTP/1.1 requests, body chunks). This
 * is what keeps an HTTP/1.1 connection to one exchange at a time and lets the forwarding path pull
 * exactly as fast as the other side drains.
 *
 * <p>Reads ahead of demand while it holds less than {@value #READ_AHEAD_BYTES} bytes: the socket
 * stays armed for reading across requests, where arming it on demand and disarming it after every
 * read cost two {@code epoll_ctl} calls per request and side, a third of an HTTP/1.1 exchange's
 * system calls. Backpressure is unchanged beyond that bound: with {@value #READ_AHEAD_BYTES} bytes
 * held nothing is read until the consumer takes them.
 *
 * <p>The end of input is delivered in order too: with half-closure allowed on the channel, a peer's
 * FIN is held behind the messages before it, and the channel closes when the consumer asks for the
 * message after the last one, as it did when the FIN was only read on demand (a client that
 * half-closes after its request still gets the response).
 *
 * <p>Unlike Netty's FlowControlHandler it is safe when {@code read()} is called from inside {@code
 * channelRead} (a write that completes synchronously asks for the next message right away):
 * delivery is an iterative loop, and a nested read only raises the demand flag it checks.
 *
 * <p>Owns the queued messages; releases them when the channel closes or the handler leaves.
 */
public final class OneMessagePerRead extends ChannelDuplexHandler {
  /** Most bytes held ahead of demand before reading stops. */
  static final int READ_AHEAD_BYTES = 64 * 1024;

  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  private long queuedBytes;
  private boolean wanted;
  private boolean delivering;
  private boolean inputEnded;

  @Override
  public void read(ChannelHandlerContext ctx) {
    wanted = true;
    deliver(ctx);
    if (wanted && queue.isEmpty() && !inputEnded) {
      ctx.read();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    queue.add(msg);
    queuedBytes += bytes(msg);
    deliver(ctx);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!inputEnded && queuedBytes < READ_AHEAD_BYTES && ctx.channel().isActive()) {
      ctx.read(); // keeps the socket armed: no epoll_ctl to disarm now and re-arm on demand
    }
    // Read-complete follows deliveries only; a held message has not been "read" yet.
    if (queue.isEmpty()) {
      ctx.fireChannelReadComplete();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      inputEnded = true;
      deliver(ctx);
      return;
    }
    if (evt instanceof ChannelInputShutdownReadComplete) {
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  private void deliver(ChannelHandlerContext ctx) {
    if (delivering) {
      return; // the loop below sees the new demand
    }
    delivering = true;
    try {
      while (wanted && !queue.isEmpty()) {
        wanted = false;
        Object msg = queue.poll();
        queuedBytes -= bytes(msg);
        ctx.fireChannelRead(msg);
      }
    } finally {
      delivering = false;
    }
    if (wanted && queue.isEmpty() && inputEnded && ctx.channel().isOpen()) {
      ChannelFuture unused = ctx.close(); // the consumer reached the peer's FIN
    }
  }

  private static int bytes(Object msg) {
    if (msg instanceof ByteBufHolder holder) {
      return holder.content().readableBytes();
    }
    return msg instanceof ByteBuf buf ? buf.readableBytes() : 0;
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
