package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.metrics.ProxyMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

/** Body objects on their way to the other side: passed through (zeroCopy) or copied. */
final class Bodies {
  /**
   * The body object to write with {@code target}'s allocator: the same buffer (zeroCopy, or an
   * empty one), or a copy allocated from it. Ownership of {@code content} passes to the result.
   */
  static HttpContent forTarget(
      HttpContent content,
      String direction,
      ByteBufAllocator target,
      boolean zeroCopy,
      ProxyMetrics metrics) {
    ByteBuf payload = content.content();
    int bytes = payload.readableBytes();
    if (zeroCopy || bytes == 0) {
      metrics.bodyBytes(direction, false, bytes);
      return content;
    }
    metrics.bodyBytes(direction, true, bytes);
    try {
      ByteBuf copy = target.ioBuffer(bytes).writeBytes(payload, payload.readerIndex(), bytes);
      if (content instanceof LastHttpContent last) {
        return new DefaultLastHttpContent(copy, last.trailingHeaders().copy());
      }
      return new DefaultHttpContent(copy);
    } finally {
      content.release();
    }
  }

  private Bodies() {}
}
