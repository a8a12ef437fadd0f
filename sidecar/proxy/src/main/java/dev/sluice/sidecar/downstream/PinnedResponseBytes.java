package dev.sluice.sidecar.downstream;

import org.jspecify.annotations.Nullable;

/**
 * What the responses of one HTTP/2 client connection pin in the sidecar — bytes queued towards the
 * client and bytes received from upstreams for its streams and not read yet — and the cap on it
 * ({@code http2.maxBufferedResponseBytes}). Over the cap, the streams that pin the most (the
 * slowest readers) are reset with ENHANCE_YOUR_CALM, fullest first, until the connection fits
 * again; each is a refusal, {@code sluice_downstream_refusals_total{reason="pinned_bytes"}}.
 *
 * <p>The resets run as a task of their own on the loop, never inside the write or read that went
 * over: that one may belong to the very stream that is reset. Until the task runs the connection
 * may be over its cap by what one loop turn adds (a socket read). Event-loop confined.
 */
final class PinnedResponseBytes {
  private final Http2Downstream connection;
  private final long cap;
  private long total;
  private boolean shedding;

  PinnedResponseBytes(Http2Downstream connection, long cap) {
    this.connection = connection;
    this.cap = cap;
  }

  /** {@code stream} pins {@code delta} bytes more (fewer, when negative). */
  void changed(Http2DownstreamStream stream, int delta) {
    stream.pin(delta);
    total += delta;

    if (delta > 0 && total > cap && !shedding) {
      shedding = true;
      connection.channel().eventLoop().execute(this::shed);
    }
  }

  /** What the connection pins now. */
  long total() {
    return total;
  }

  /**
   * Resets the fullest stream until the connection fits. A reset stream is closed at once, so what
   * it held is given back before the next one is picked.
   */
  private void shed() {
    shedding = false;

    while (total > cap) {
      Http2DownstreamStream fullest = fullest();
      if (fullest == null) {
        return; // what is left is in the socket's buffer, on its way out
      }
      fullest.shed();
    }
  }

  private @Nullable Http2DownstreamStream fullest() {
    Http2DownstreamStream[] fullest = {null};
    connection.forEachStream(
        stream -> {
          if (!stream.shedding()
              && stream.pinned() > 0
              && (fullest[0] == null || stream.pinned() > fullest[0].pinned())) {
            fullest[0] = stream;
          }
        });
    return fullest[0];
  }
}
