package dev.sluice.sidecar.downstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * Cleartext listeners serve HTTP/1.1 and HTTP/2 with prior knowledge on the same port: the first
 * bytes decide. As soon as they differ from the HTTP/2 connection preface the connection is
 * HTTP/1.1; a full preface makes it HTTP/2. The buffered bytes go to the chosen pipeline as is.
 */
final class ProtocolDetector extends ByteToMessageDecoder {
  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
  private final ListenerContext listener;
  private final ConnectionTimeouts timeouts;

  ProtocolDetector(ListenerContext listener, ConnectionTimeouts timeouts) {
    this.listener = listener;
    this.timeouts = timeouts;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int compared = Math.min(in.readableBytes(), PREFACE.readableBytes());
    boolean prefixMatches =
        ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), compared);
    if (prefixMatches && compared < PREFACE.readableBytes()) {
      return; // could still be HTTP/2: wait for more
    }
    if (prefixMatches) {
      DownstreamPipelines.http2(ctx.pipeline(), listener, timeouts);
    } else {
      DownstreamPipelines.http1(ctx.pipeline(), listener, timeouts);
    }
    ctx.pipeline().remove(this);
  }
}
