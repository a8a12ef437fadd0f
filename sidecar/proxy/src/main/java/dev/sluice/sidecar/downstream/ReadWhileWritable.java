package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.metrics.ProxyMetrics;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;

/**
 * Reads a downstream HTTP/2 connection only while the client reads what it is sent: once it leaves
 * enough unread that the connection is no longer writable, nothing more is read from it — a client
 * flooding PING or SETTINGS frames without reading their answers then costs the answers the socket
 * buffers hold and no more (HAProxy stops reading such a client the same way) — and reading resumes
 * once the client drained them. Streams need no more than this: their bodies are bounded by flow
 * control.
 *
 * <p>Sits between the socket and the HTTP/2 handler, because turning auto-read off is not enough
 * alone: that handler, a byte-to-message decoder that hands no message on, asks for the next read
 * itself whenever auto-read is off; those requests are held here until the connection is writable
 * again.
 */
final class ReadWhileWritable extends ChannelDuplexHandler {
  private final ProxyMetrics metrics;

  ReadWhileWritable(ProxyMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    boolean writable = ctx.channel().isWritable();
    ChannelConfig config = ctx.channel().config();
    if (config.isAutoRead() != writable) {
      if (!writable) {
        metrics.downstreamReadPaused();
      }
      config.setAutoRead(writable); // back on: Netty reads at once
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      ctx.read();
    } // else held: writability coming back turns auto-read on, and that reads
  }
}
