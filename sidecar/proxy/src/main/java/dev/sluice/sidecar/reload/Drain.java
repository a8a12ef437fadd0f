package dev.sluice.sidecar.reload;

import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.downstream.DownstreamServer;
import dev.sluice.sidecar.runtime.Generation;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replaced generation finishing its requests after a swap: it closes when the last one ends,
 * and never later than the new config's drain timeout (requests still running then are cut off),
 * together with the listeners the reload removed. The swap's report then gets the drain figures.
 * Finishes once, on whichever comes first; never blocks the event loop it may finish on.
 */
public final class Drain {
  private static final Logger log = LoggerFactory.getLogger(Drain.class);

  private final Generation old;
  private final SidecarReport report;
  private final List<DownstreamServer> removed;
  private final Consumer<SidecarReport> onDrained;
  private final long started = System.nanoTime();
  private final int offloadAtSwap;
  private final long offloadTimeoutsBefore;
  private final AtomicBoolean finished = new AtomicBoolean();
  private final CompletableFuture<SidecarReport> done = new CompletableFuture<>();
  private volatile @Nullable ScheduledFuture<?> deadline;
  private volatile int requestsAtSwap;

  private Drain(
      Generation old,
      SidecarReport report,
      List<DownstreamServer> removed,
      Consumer<SidecarReport> onDrained) {
    this.old = old;
    this.report = report;
    this.removed = removed;
    this.onDrained = onDrained;
    this.offloadAtSwap = old.offloadInFlight();
    this.offloadTimeoutsBefore = old.offloadTimeouts();
  }

  /**
   * A drain of {@code old}, replaced by the swap {@code report} tells of; {@code onDrained} gets
   * the report with the drain figures (on an event loop, or the timer's). Nothing happens until
   * {@link #start}.
   */
  public static Drain of(
      Generation old,
      SidecarReport report,
      List<DownstreamServer> removed,
      Consumer<SidecarReport> onDrained) {
    return new Drain(old, report, removed, onDrained);
  }

  /** Starts: finishes when the last request ends, or at {@code timeout}. */
  public void start(Duration timeout, EventLoopGroup workers) {
    deadline = workers.next().schedule(this::finish, timeout.toNanos(), TimeUnit.NANOSECONDS);
    requestsAtSwap = old.inFlight().drain(() -> workers.next().execute(this::finish));
  }

  /** Completes with the swap's report and its drain figures. */
  public CompletableFuture<SidecarReport> done() {
    return done;
  }

  private void finish() {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    ScheduledFuture<?> timer = deadline;
    if (timer != null) {
      timer.cancel(false);
    }
    int cutOff = old.inFlight().active();
    old.close();
    removed.forEach(DownstreamServer::closeWithoutWaiting);
    SidecarReport.Drain figures =
        new SidecarReport.Drain(
            requestsAtSwap,
            offloadAtSwap,
            old.inFlight().completedWhileDraining(),
            cutOff + (int) (old.offloadTimeouts() - offloadTimeoutsBefore),
            (System.nanoTime() - started) / 1_000_000);
    SidecarReport withDrain = Reports.withDrain(report, figures);
    onDrained.accept(withDrain);
    done.complete(withDrain);
    log.info("revision {} drained: {}", old.revision(), figures);
  }
}
