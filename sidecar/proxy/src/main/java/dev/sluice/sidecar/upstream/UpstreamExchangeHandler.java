package dev.sluice.sidecar.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * Last handler of every upstream channel: hands response objects to the exchange that holds the
 * lease; anything arriving while no exchange holds it (a pooled idle HTTP/1.1 connection) is a
 * protocol violation and closes the connection.
 */
public final class UpstreamExchangeHandler extends ChannelInboundHandlerAdapter {
  private UpstreamExchange exchange;
  private Throwable failure;
  private String refused;

  /** Binds the lease to an exchange (null: back in the pool). Event loop only. */
  public void bind(UpstreamExchange newExchange) {
    this.exchange = newExchange;
    this.refused = null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (exchange != null && msg instanceof HttpObject http) {
      exchange.onResponseObject(http);
    } else {
      ReferenceCountUtil.release(msg);
      ctx.close();
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
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2ResetFrame reset
        && reset.errorCode() == Http2Error.REFUSED_STREAM.code()) {
      refused = "the upstream reset the stream with REFUSED_STREAM";
    } else if (evt instanceof Http2GoAwayFrame goAway
        && ctx.channel() instanceof Http2StreamChannel stream
        && stream.stream().id() > goAway.lastStreamId()) {
      refused = "the upstream sent GOAWAY with last stream " + goAway.lastStreamId();
    }
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    UpstreamExchange current = exchange;
    exchange = null;
    if (current != null) {
      String refusal = refused != null ? refused : refusedByGoAway(ctx);
      current.onUpstreamClosed(
          refusal != null
              ? new StreamRefusedException(refusal)
              : failure != null ? failure : new IOException("upstream closed"));
    }
    ctx.fireChannelInactive();
  }

  /** A stream the connection's GOAWAY left unprocessed, or null. */
  private static String refusedByGoAway(ChannelHandlerContext ctx) {
    if (!(ctx.channel() instanceof Http2StreamChannel stream) || stream.parent() == null) {
      return null;
    }
    Http2FrameCodec codec = stream.parent().pipeline().get(Http2FrameCodec.class);
    if (codec == null || !codec.connection().goAwayReceived()) {
      return null;
    }
    int id = stream.stream().id();
    if (id <= 0) {
      return "the upstream connection received GOAWAY before the stream opened";
    }
    int last = codec.connection().local().lastStreamKnownByPeer();
    return id > last ? "the upstream sent GOAWAY with last stream " + last : null;
  }
}
