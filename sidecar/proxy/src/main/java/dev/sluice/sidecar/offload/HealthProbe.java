package dev.sluice.sidecar.offload;

import dev.sluice.spop.Frame;
import dev.sluice.spop.Hellos;
import dev.sluice.spop.SpopValue;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.Promise;

/**
 * A health check as HAProxy's {@code option spop-check} does it: a HELLO with {@code healthcheck}
 * true, empty capabilities and no engine-id; the endpoint is up when a version-2 AGENT-HELLO comes
 * back. The connection closes either way. Completes {@code outcome} with null (up) or the reason.
 */
final class HealthProbe extends SimpleChannelInboundHandler<Frame> {
  private final int maxFrameSize;
  private final Promise<String> outcome;

  HealthProbe(int maxFrameSize, Promise<String> outcome) {
    this.maxFrameSize = maxFrameSize;
    this.outcome = outcome;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    // A HELLO that cannot be written closes the connection: channelInactive reports it.
    ChannelFuture unused = ctx.writeAndFlush(Hellos.healthCheck(maxFrameSize));
    ctx.fireChannelActive();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
    if (frame instanceof Frame.AgentHello hello) {
      SpopValue version = hello.items().get("version");
      if (version != null && Hellos.isVersion2(version.asText())) {
        outcome.trySuccess(null);
      } else {
        outcome.trySuccess("health check: AGENT-HELLO version " + version);
      }
    } else if (frame instanceof Frame.AgentDisconnect bye) {
      outcome.trySuccess("health check refused with status " + bye.status() + " " + bye.message());
    } else {
      outcome.trySuccess("health check: unexpected " + frame.getClass().getSimpleName());
    }
    ChannelFuture unused = ctx.close(); // the check is over
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    outcome.trySuccess("health check: " + cause);
    ChannelFuture unused = ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    outcome.trySuccess("health check: connection closed before AGENT-HELLO");
    ctx.fireChannelInactive();
  }
}
