package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.timer.Timeout;
import io.netty.util.concurrent.EventExecutor;

/**
 * The stalled-write watch of one output, a client connection's socket or one HTTP/2 stream. Once
 * started, and for as long as response bytes wait, it looks {@value #LOOKS_PER_LIMIT} times per
 * {@code stalledWriteTimeout} whether any left since its last look; when none left for the whole
 * timeout it runs {@code onStall}. Silence is what counts: a slow reader that takes some bytes
 * every so often is never cut, however long the response. A look that saw movement counts from
 * itself, so the silence before a cut is at least the timeout and at most a quarter more. One timer
 * per output, armed only while bytes wait, never per write. Event-loop confined.
 */
final class WriteStall {
  static final int LOOKS_PER_LIMIT = 4;

  /** What is watched. */
  interface Output {
    /** True while response bytes wait to be written. */
    boolean waiting();

    /** True when some bytes left since the previous call (the first call sets the baseline). */
    boolean moved();
  }

  private final Output output;
  private final long limitNanos;
  private final long lookNanos;
  private final EventExecutor loop;
  private final Runnable onStall;
  private final Timeout timeout = new Timeout(this::look);

  /** When a look last saw bytes leave (or the watch started). */
  private long lastMoved;

  WriteStall(Output output, long limitNanos, EventExecutor loop, Runnable onStall) {
    this.output = output;
    this.limitNanos = limitNanos;
    this.lookNanos = Math.max(1, limitNanos / LOOKS_PER_LIMIT);
    this.loop = loop;
    this.onStall = onStall;
  }

  /** Starts watching, unless already watching (the silence being measured stands). */
  void watch() {
    if (!timeout.armed()) {
      output.moved(); // the baseline the first look compares with
      lastMoved = System.nanoTime();
      timeout.arm(loop, lookNanos);
    }
  }

  void cancel() {
    timeout.cancel();
  }

  private void look() {
    if (!output.waiting()) {
      return; // drained: the next wait starts the watch again
    }
    long now = System.nanoTime();
    if (output.moved()) {
      lastMoved = now;
    }
    long silentFor = now - lastMoved;
    if (silentFor >= limitNanos) {
      onStall.run();
      return;
    }
    timeout.arm(loop, Math.min(lookNanos, limitNanos - silentFor));
  }
}
