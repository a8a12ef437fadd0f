package dev.sluice.sidecar.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;

/**
 * Body content that is going to wait (for a reader that does not want it yet, or for a client's
 * flow-control window) gets a buffer of its own when it is a slice of a much larger one. A DATA
 * payload is a slice of the socket read it arrived in, and that read holds other streams' frames
 * too: a slice that waits keeps the whole read buffer alive, so a client that never reads would
 * hold several times the bytes it is charged for. Content that moves on at once stays as it is
 * (zero copy).
 */
public final class WaitingContent {
  /** Copied when the buffer underneath holds at least this many times the content's bytes. */
  static final int WASTE_FACTOR = 2;

  /**
   * {@code content} itself, or (its buffer released) the same content in an exact copy when it
   * would pin a much larger buffer. Ownership passes both ways.
   */
  public static HttpContent own(HttpContent content, ByteBufAllocator alloc) {
    if (content instanceof HttpMessage) {
      return content; // a full head: its (empty) content pins nothing
    }
    ByteBuf bytes = content.content();
    int readable = bytes.readableBytes();
    if (readable == 0 || underlying(bytes) < (long) WASTE_FACTOR * readable) {
      return content;
    }
    ByteBuf own = alloc.ioBuffer(readable, readable);
    own.writeBytes(bytes, bytes.readerIndex(), readable);
    HttpContent copy = content.replace(own);
    content.release();
    return copy;
  }

  /** The capacity of the buffer {@code bytes} is a view of (its own, when it is none). */
  private static int underlying(ByteBuf bytes) {
    ByteBuf root = bytes;
    for (ByteBuf parent = root.unwrap(); parent != null; parent = parent.unwrap()) {
      root = parent;
    }
    return root.capacity();
  }

  private WaitingContent() {}
}
