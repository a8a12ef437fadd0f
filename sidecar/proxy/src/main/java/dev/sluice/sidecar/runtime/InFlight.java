package dev.sluice.sidecar.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Requests running on one generation, and its drain. Lock-free: one counter whose high bits say
 * "draining" and "closed", so a request can never start on a generation whose drain has already
 * found it empty (it then re-reads the current generation instead).
 */
public final class InFlight {
  private static final int DRAINING = 1 << 30;
  private static final int CLOSED = 1 << 29;
  private static final int COUNT = CLOSED - 1;

  private final AtomicInteger state = new AtomicInteger();
  private final AtomicInteger completedWhileDraining = new AtomicInteger();
  private volatile @Nullable Runnable onEmpty;

  /** Counts a request in; false when the generation is already closed (use the current one). */
  public boolean tryStart() {
    while (true) {
      int s = state.get();
      if ((s & CLOSED) != 0) {
        return false;
      }
      if (state.compareAndSet(s, s + 1)) {
        return true;
      }
    }
  }

  /** Counts a request out; {@code completed}: it ended normally (not aborted or reset). */
  public void ended(boolean completed) {
    int s = state.decrementAndGet();
    if ((s & DRAINING) != 0) {
      if (completed) {
        completedWhileDraining.incrementAndGet();
      }
      closeIfEmpty(s);
    }
  }

  /**
   * Starts the drain: {@code whenEmpty} runs once, when the last request ends (at once if none is
   * running). Returns the requests running at this moment.
   */
  public int drain(Runnable whenEmpty) {
    onEmpty = whenEmpty;
    int s = state.updateAndGet(v -> v | DRAINING);
    closeIfEmpty(s);
    return s & COUNT;
  }

  private void closeIfEmpty(int s) {
    if ((s & COUNT) == 0
        && (s & CLOSED) == 0
        && state.compareAndSet(s, s | CLOSED)
        && onEmpty != null) {
      onEmpty.run();
    }
  }

  /** Requests running now. */
  public int active() {
    return state.get() & COUNT;
  }

  /** Requests that ended normally after the drain began. */
  public int completedWhileDraining() {
    return completedWhileDraining.get();
  }
}
