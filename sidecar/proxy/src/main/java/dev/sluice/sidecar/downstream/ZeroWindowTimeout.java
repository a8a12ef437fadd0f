package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.timer.Timeout;
import java.util.ArrayList;
import java.util.List;

/**
 * The zero-window timeout of one HTTP/2 client connection ({@code
 * responseBuffering.zeroWindowTimeout}): a stream with response bytes waiting, none of which went
 * out for that long, while the client's window for it (the stream's or the connection's) is shut,
 * is reset with ENHANCE_YOUR_CALM and counted as {@code
 * sluice_downstream_resets_total{reason="zero-window"}}. A stream that waits for the socket with
 * its window open is not this timeout's to judge.
 *
 * <p>One timer per connection, armed while a stream has bytes waiting: it checks every stream when
 * the earliest of them may be due, and re-arms for the next. Event-loop confined.
 */
final class ZeroWindowTimeout {
  static final String REASON = "zero-window";

  private final Http2Downstream connection;
  private final long timeoutNanos;
  private final Timeout timer = new Timeout(this::check);

  ZeroWindowTimeout(Http2Downstream connection, long timeoutNanos) {
    this.connection = connection;
    this.timeoutNanos = timeoutNanos;
  }

  /** A stream has bytes waiting (it had none): the timer runs, if it did not already. */
  void waiting() {
    if (!timer.armed()) {
      timer.arm(connection.channel().eventLoop(), timeoutNanos);
    }
  }

  /** The connection closed: nothing more to check. */
  void stop() {
    timer.cancel();
  }

  private void check() {
    long now = System.nanoTime();
    long[] next = {Long.MAX_VALUE};
    List<Http2DownstreamStream> expired = new ArrayList<>();
    connection.forEachStream(
        stream -> {
          if (stream.queuedBytes() == 0) {
            return;
          }
          long due = stream.lastSent() + timeoutNanos;
          if (due - now > 0) {
            next[0] = Math.min(next[0], due - now);
          } else if (stream.responseWindow() <= 0) {
            expired.add(stream);
          } else {
            next[0] = Math.min(next[0], timeoutNanos); // waiting for the socket, not the window
          }
        });
    // Reset outside the iteration: a stream closes (and gives back what it holds) at once.
    expired.forEach(stream -> stream.shed(REASON));
    if (next[0] != Long.MAX_VALUE && connection.channel().isActive()) {
      timer.arm(connection.channel().eventLoop(), next[0]);
    }
  }
}
