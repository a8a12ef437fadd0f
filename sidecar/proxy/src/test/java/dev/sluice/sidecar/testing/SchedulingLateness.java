package dev.sluice.sidecar.testing;

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
 */
public final class SchedulingLateness implements AutoCloseable {
  static final long PERIOD_MILLIS = 2;
  private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(PERIOD_MILLIS);

  private final AtomicLong worstNanos = new AtomicLong();
  private final Thread probe;
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

  /** The longest a wake-up came late so far, in whole milliseconds rounded up. */
  public long worstMillis() {
    return (worstNanos.get() + 999_999) / 1_000_000;
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
