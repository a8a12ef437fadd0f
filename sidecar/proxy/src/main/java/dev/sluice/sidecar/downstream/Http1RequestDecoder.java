package dev.sluice.sidecar.downstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty's request decoder, telling the connection's {@link ConnectionTimeouts} where request heads
 * begin and end: the first byte after a message's last one starts a head, a decoded request ends
 * it. It sees bytes as they arrive, before {@code OneMessagePerRead} holds pipelined requests back.
 */
final class Http1RequestDecoder extends HttpRequestDecoder {
  private final ConnectionTimeouts timeouts;

  /** No message is half-read: the next byte begins a head. */
  private boolean betweenMessages = true;

  Http1RequestDecoder(HttpDecoderConfig config, ConnectionTimeouts timeouts) {
    super(config);
    this.timeouts = timeouts;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
      throws Exception {
    if (betweenMessages && buffer.isReadable()) {
      betweenMessages = false;
      timeouts.headStarted();
    }
    int before = out.size();
    super.decode(ctx, buffer, out);
    for (int i = before; i < out.size(); i++) {
      Object decoded = out.get(i);
      if (decoded instanceof HttpRequest) {
        timeouts.headReceived();
      }
      if (decoded instanceof LastHttpContent) {
        betweenMessages = true;
      }
    }
  }
}
