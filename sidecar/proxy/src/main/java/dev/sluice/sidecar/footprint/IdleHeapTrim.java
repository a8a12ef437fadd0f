package dev.sluice.sidecar.footprint;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the heap back when traffic stops. The serial collector sizes the heap only at a full
 * collection ({@code -XX:MaxHeapFreeRatio}), and a sidecar whose live set fits in the young
 * generation may never run one: the heap that 10,000 connections made it grow, and every page its
 * young generation touched, would stay resident for the life of the pod. So, when the collector has
 * run since the last trim (there was traffic) and then not at all for {@link #QUIET} (there is none
 * now), one full collection: the heap shrinks to the live set plus 40 % and the pages above are
 * returned to the kernel. At most one per {@link #SPACING}; a pause of a few milliseconds per MiB
 * of live data, taken while nothing is being served.
 *
 * <p>Off with {@code -Dsluice.idleHeapTrim=false}.
 */
public final class IdleHeapTrim implements AutoCloseable {
  /** No collection for this long: the traffic has stopped. */
  public static final Duration QUIET = Duration.ofSeconds(10);

  /** Never two trims closer than this (a trickle of traffic makes one per quiet spell). */
  public static final Duration SPACING = Duration.ofSeconds(60);

  /** How often the collector's count is read. */
  static final Duration CHECK = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(IdleHeapTrim.class);

  /** Decides; no clock or thread of its own, so it can be driven by a test. */
  static final class Decision {
    private long lastCount = -1;
    private long lastChange;
    private long countAtTrim = -1;
    private long lastTrim = Long.MIN_VALUE / 2;

    /**
     * Given the collector's count and the time now (ns), whether to trim now; a trim's own
     * collection is not traffic.
     */
    boolean check(long collections, long nanos) {
      if (collections != lastCount) {
        lastCount = collections;
        lastChange = nanos;
        if (countAtTrim < 0) {
          countAtTrim = collections; // the first reading: startup's collections are not traffic
        }
        return false;
      }
      boolean trafficSinceTrim = collections != countAtTrim;
      boolean quiet = nanos - lastChange >= QUIET.toNanos();
      boolean spaced = nanos - lastTrim >= SPACING.toNanos();
      return trafficSinceTrim && quiet && spaced;
    }

    /** The trim ran; its collection took the count to {@code collections}. */
    void trimmed(long collections, long nanos) {
      lastCount = collections;
      countAtTrim = collections;
      lastChange = nanos;
      lastTrim = nanos;
    }
  }

  private final ScheduledExecutorService thread;
  private final ScheduledFuture<?> checks;

  private IdleHeapTrim(ScheduledExecutorService thread, ScheduledFuture<?> checks) {
    this.thread = thread;
    this.checks = checks;
  }

  /** Starts checking on a thread of its own; null when switched off. */
  public static @Nullable IdleHeapTrim start() {
    if ("false".equals(System.getProperty("sluice.idleHeapTrim"))) {
      return null;
    }
    List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    LongSupplier count =
        () -> collectors.stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    Decision decision = new Decision();
    ScheduledExecutorService thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-heap-trim");
              t.setDaemon(true);
              return t;
            });
    Runnable check =
        () -> {
          if (!decision.check(count.getAsLong(), System.nanoTime())) {
            return;
          }
          long before = memory.getHeapMemoryUsage().getCommitted();
          long started = System.nanoTime();
          System.gc();
          long took = System.nanoTime() - started;
          decision.trimmed(count.getAsLong(), System.nanoTime());
          long after = memory.getHeapMemoryUsage().getCommitted();
          log.debug(
              "traffic stopped: heap trimmed from {} to {} KiB committed ({} KiB live) in {} ms",
              before >> 10,
              after >> 10,
              memory.getHeapMemoryUsage().getUsed() >> 10,
              TimeUnit.NANOSECONDS.toMillis(took));
        };
    long period = CHECK.toMillis();
    return new IdleHeapTrim(
        thread, thread.scheduleWithFixedDelay(check, period, period, TimeUnit.MILLISECONDS));
  }

  @Override
  public void close() {
    checks.cancel(false);
    thread.shutdownNow();
  }
}
