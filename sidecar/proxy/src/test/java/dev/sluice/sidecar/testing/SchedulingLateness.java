package dev.sluice.sidecar.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * How late this machine ran a thread that asked to run, while a test ran: a daemon thread, apart
 * from the code under test, parks for {@value #PERIOD_MILLIS} ms at a time and records how much
 * later than asked it woke. On an idle machine that is well under a millisecond; when the CPUs are
 * oversubscribed (parallel builds, a CI neighbour) or the JVM stops for a safepoint, every timer in
 * the process, the sidecar's deadline timers included, is delayed by as much.
 *
 * <p>A deadline test adds {@link #worstMillis} to the bound it asserts: the machine's lateness is
 * excused, as measured, and nothing else is. The probe only runs on its own thread, so a sidecar
 * that blocks its own event loop or keeps a request past its deadline is not excused by it. A stall
 * that starts just after a wake-up is seen up to one period short; bounds keep a margin for that.
 *
 * <p>A parked probe sees how late one wake-up is, not how little CPU a busy thread got: with more
 * runnable threads than cores, an event loop with work queued runs in slices and falls behind by
 * more than any single wake-up. So it also reads, from Linux's {@code
 * /proc/self/task/<tid>/schedstat}, how long the threads named {@value #LOOP_THREADS}... (the
 * sidecar's I/O loops) sat runnable on a run queue while another thread had the CPU. That is the
 * scheduler's doing only: a loop that blocks itself sleeps and one that computes runs, neither of
 * which counts.
 */
public final class SchedulingLateness implements AutoCloseable {
  static final long PERIOD_MILLIS = 2;
  static final String LOOP_THREADS = "sluice-io";
  private static final Path TASKS = Path.of("/proc/self/task");
  private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(PERIOD_MILLIS);

  private final AtomicLong worstNanos = new AtomicLong();
  private final Thread probe;
  private final Map<String, Long> waitedAtStart = runQueueWaits();
  private volatile boolean running = true;

  private SchedulingLateness() {
    probe = new Thread(this::measure, "scheduling-lateness-probe");
    probe.setDaemon(true);
  }

  /** Starts measuring; {@link #close} stops. */
  public static SchedulingLateness start() {
    SchedulingLateness lateness = new SchedulingLateness();
    lateness.probe.start();
    return lateness;
  }

  private void measure() {
    long due = System.nanoTime() + PERIOD_NANOS;
    while (running) {
      LockSupport.parkNanos(due - System.nanoTime());
      long now = System.nanoTime();
      worstNanos.accumulateAndGet(now - due, Math::max);
      due = now + PERIOD_NANOS;
    }
  }

  /**
   * The longest a wake-up came late so far, or the longest any I/O loop thread waited on a run
   * queue since the start, whichever is more, in whole milliseconds rounded up.
   */
  public long worstMillis() {
    long worst = worstNanos.get();
    for (Map.Entry<String, Long> thread : runQueueWaits().entrySet()) {
      long before = waitedAtStart.getOrDefault(thread.getKey(), 0L);
      worst = Math.max(worst, thread.getValue() - before);
    }
    return (worst + 999_999) / 1_000_000;
  }

  /**
   * Nanoseconds each I/O loop thread of this process has waited runnable on a run queue, by thread
   * id; empty where Linux's schedstat is not readable.
   */
  private static Map<String, Long> runQueueWaits() {
    Map<String, Long> waits = new HashMap<>();
    try (var tasks = Files.list(TASKS)) {
      for (Path task : tasks.toList()) {
        try {
          if (!Files.readString(task.resolve("comm")).startsWith(LOOP_THREADS)) {
            continue;
          }
          String[] fields = Files.readString(task.resolve("schedstat")).trim().split(" ");
          waits.put(task.getFileName().toString(), Long.parseLong(fields[1]));
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile, or this kernel keeps no schedstat: nothing to excuse
        }
      }
    } catch (IOException e) {
      // no /proc: the probe's own lateness is all there is
    }
    return waits;
  }

  /** Stops the probe and waits (briefly: it is at most one period from noticing) for it to end. */
  @Override
  public void close() {
    running = false;
    LockSupport.unpark(probe);
    try {
      probe.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
