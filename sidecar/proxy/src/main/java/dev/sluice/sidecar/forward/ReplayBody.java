package dev.sluice.sidecar.forward;

import io.netty.handler.codec.http.HttpContent;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The request body sent upstream so far, held so that a retry can send it again: each body object
 * forwarded is kept as a retained duplicate of the same buffer (zero copies; the bytes stay in
 * memory until the exchange no longer needs them), while the body stays within {@code limit} bytes.
 * Once it grows past the limit everything kept is released and the request can no longer be tried
 * again once any of its body went upstream. Event-loop confined.
 */
final class ReplayBody {
  private final long limit;
  private final ArrayDeque<HttpContent> kept = new ArrayDeque<>(2);
  private long keptBytes;
  private State state = State.KEEPING;

  private enum State {
    /** Everything forwarded so far is kept. */
    KEEPING,
    /** The body grew past the limit, or no retry can come any more: nothing is kept. */
    RELEASED
  }

  /** Holds up to {@code limit} body bytes. */
  ReplayBody(long limit) {
    this.limit = limit;
  }

  /** {@code content} goes upstream now (the caller keeps its ownership). */
  void keep(HttpContent content) {
    if (state == State.RELEASED) {
      return;
    }
    int bytes = content.content().readableBytes();
    if (keptBytes + bytes > limit) {
      release();
      return;
    }
    kept.add(content.retainedDuplicate());
    keptBytes += bytes;
  }

  /** True while everything forwarded is kept. */
  boolean holdsAll() {
    return state == State.KEEPING;
  }

  /** Hands each kept object to {@code send} again, in order, as a new retained duplicate. */
  void replay(Consumer<HttpContent> send) {
    for (HttpContent content : kept) {
      send.accept(content.retainedDuplicate());
    }
  }

  /** Body bytes kept. */
  long bytes() {
    return keptBytes;
  }

  /** Releases what is kept: nothing more will be (the body grew too long, or no retry can come). */
  void release() {
    state = State.RELEASED;
    HttpContent content;
    while ((content = kept.poll()) != null) {
      content.release();
    }
    keptBytes = 0;
  }
}
