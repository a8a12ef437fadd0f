package dev.sluice.sidecar.testing;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.TimeUnit;

/** Makes a test server read no faster than a given rate: a slow upstream. */
final class Throttle extends ChannelDuplexHandler {
  private final long bytesPerSecond;
  private long readSinceLastPause;

  Throttle(long bytesPerSecond) {
    this.bytesPerSecond = bytesPerSecond;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(false);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.read();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf) {
      readSinceLastPause += buf.readableBytes();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    long pauseNanos = readSinceLastPause * 1_000_000_000L / bytesPerSecond;
    readSinceLastPause = 0;
    ctx.executor().schedule(() -> ctx.read(), pauseNanos, TimeUnit.NANOSECONDS);
    ctx.fireChannelReadComplete();
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    // Only the throttle decides when to read.
  }
}
