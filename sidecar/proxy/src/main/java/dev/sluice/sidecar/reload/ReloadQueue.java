package dev.sluice.sidecar.reload;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarReport;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Runs reloads one at a time on their own thread (building a generation binds sockets and reads
 * files: never on an event loop) and coalesces bursts: triggers that arrive while a reload waits to
 * start merge into it, and the newest source wins. Every trigger gets the report of the reload that
 * covered it.
 */
public final class ReloadQueue implements AutoCloseable {
  private final Function<Callable<SidecarConfig>, SidecarReport> reload;
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "sluice-reload");
            t.setDaemon(true);
            return t;
          });
  private final Object lock = new Object();
  private @Nullable Pending queued;

  private static final class Pending {
    Callable<SidecarConfig> source;
    final CompletableFuture<SidecarReport> report = new CompletableFuture<>();

    Pending(Callable<SidecarConfig> source) {
      this.source = source;
    }
  }

  /** {@code reload}: reads the source, applies or rejects it, and reports. */
  public ReloadQueue(Function<Callable<SidecarConfig>, SidecarReport> reload) {
    this.reload = reload;
  }

  /** Asks for a reload from {@code source} (read when the reload starts, not now). */
  public CompletableFuture<SidecarReport> submit(Callable<SidecarConfig> source) {
    synchronized (lock) {
      if (queued != null) {
        queued.source = source;
        return queued.report;
      }
      Pending pending = new Pending(source);
      queued = pending;
      thread.execute(this::runNext);
      return pending.report;
    }
  }

  private void runNext() {
    Pending next;
    synchronized (lock) {
      next = requireNonNull(queued); // one run per reload queued
      queued = null;
    }
    try {
      next.report.complete(reload.apply(next.source));
    } catch (RuntimeException e) {
      next.report.completeExceptionally(e);
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
