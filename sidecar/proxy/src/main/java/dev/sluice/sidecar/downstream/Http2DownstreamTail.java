package dev.sluice.sidecar.downstream;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a downstream HTTP/2 pipeline, where the failures the connection handler does not
 * handle itself arrive: a client's connection failing the ordinary way (reset, gone, a broken TLS
 * record) is logged at DEBUG without a stack trace; anything else is a bug and logged as one.
 * Either way the connection closes.
 */
final class Http2DownstreamTail extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(Http2DownstreamTail.class);

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (ioFailure(cause)) {
      log.debug("client connection {} failed: {}", ctx.channel(), cause.toString());
    } else {
      log.warn("client connection {} failed unexpectedly", ctx.channel(), cause);
    }
    ChannelFuture unused = ctx.close();
  }

  /** True when {@code cause} is, or is caused by, an I/O failure (TLS ones included). */
  private static boolean ioFailure(@Nullable Throwable cause) {
    for (Throwable at = cause; at != null; at = at.getCause()) {
      if (at instanceof IOException) {
        return true;
      }
    }
    return false;
  }
}
