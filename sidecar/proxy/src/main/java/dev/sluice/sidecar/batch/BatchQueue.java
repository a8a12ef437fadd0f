package dev.sluice.sidecar.batch;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded queue that callers (event loops) offer items to without ever waiting, and a thread of
 * its own that hands them to a {@link Sink} in batches. A full queue, a closing one, or a batch the
 * sink failed to deliver drops items and counts them.
 *
 * <p>A batch goes out when {@code batchSize} items are waiting, or once {@code maxDelay} has passed
 * since its first item was taken, or at once when closing; with a zero delay, as soon as one item
 * is waiting (what is waiting by then joins it). Waiting for a batch to fill, the thread sleeps on
 * its own: an offer wakes it only when it completes a batch, so a trickle of items costs the
 * callers no wake-up each.
 */
public final class BatchQueue<T> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BatchQueue.class);

  /** How long the idle thread waits at a time before looking whether it is closing. */
  private static final long IDLE_POLL_MILLIS = 200;

  private static final int NOT_WAITING = Integer.MAX_VALUE;

  /** Where batches go, on the queue's thread. */
  @FunctionalInterface
  public interface Sink<T> {
    /**
     * Delivers {@code batch} (the list is reused once this returns); {@code drained}: nothing else
     * is waiting, so a sink that buffers should flush now. Throws when the batch could not be
     * delivered: its items count as dropped.
     */
    void deliver(List<T> batch, boolean drained) throws IOException;
  }

  private final String name;
  private final BlockingQueue<T> queue;
  private final int batchSize;
  private final long maxDelayNanos;
  private final Sink<T> sink;
  private final LongAdder dropped = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder failedBatches = new LongAdder();
  private final Thread thread;
  private volatile boolean closing;

  /** Items the thread's partial batch lacks while it waits for them; else {@link #NOT_WAITING}. */
  private volatile int missing = NOT_WAITING;

  /**
   * Starts the thread, named {@code name} (also what its log lines start with); {@code capacity}
   * items wait at most.
   */
  public BatchQueue(String name, int capacity, int batchSize, Duration maxDelay, Sink<T> sink) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected at least 1)");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize: " + batchSize + " (expected at least 1)");
    }
    if (maxDelay.isNegative()) {
      throw new IllegalArgumentException("maxDelay: " + maxDelay + " (expected zero or more)");
    }
    this.name = name;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.batchSize = batchSize;
    this.maxDelayNanos = maxDelay.toNanos();
    this.sink = sink;
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Queues {@code item}; false (and counted as dropped) when the queue is full or closing. */
  public boolean offer(T item) {
    if (closing || !queue.offer(item)) {
      dropped.increment();
      return false;
    }
    int wanted = missing;
    if (wanted != NOT_WAITING && queue.size() >= wanted) {
      LockSupport.unpark(thread); // the batch is complete: no need to wait out the delay
    }
    return true;
  }

  /** Items dropped: the queue was full, it was closing, or their batch failed. */
  public long dropped() {
    return dropped.sum();
  }

  /** Items in batches the sink delivered. */
  public long delivered() {
    return delivered.sum();
  }

  /** Batches the sink failed to deliver (their items count as dropped too). */
  public long failedBatches() {
    return failedBatches.sum();
  }

  private void run() {
    List<T> batch = new ArrayList<>(Math.min(batchSize, queue.remainingCapacity()));
    boolean failing = false;
    try {
      while (true) {
        T first = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closing && queue.isEmpty()) {
            return;
          }
          continue;
        }
        batch.add(first);
        fill(batch, System.nanoTime() + maxDelayNanos);
        failing = deliver(batch, failing);
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Takes what is waiting into {@code batch} until it is full, {@code deadline} or closing. */
  private void fill(List<T> batch, long deadline) throws InterruptedException {
    while (true) {
      queue.drainTo(batch, batchSize - batch.size());
      long left = deadline - System.nanoTime();
      if (batch.size() >= batchSize || closing || left <= 0) {
        return;
      }
      // Set before looking at the queue: an offer after the look sees it and wakes this thread.
      missing = batchSize - batch.size();
      if (queue.size() < missing) {
        LockSupport.parkNanos(this, left);
      }
      missing = NOT_WAITING;
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
  }

  /** Hands {@code batch} to the sink and counts; returns whether it failed (warned once a run). */
  private boolean deliver(List<T> batch, boolean failing) {
    try {
      sink.deliver(batch, queue.isEmpty());
      delivered.add(batch.size());
      return false;
    } catch (IOException | RuntimeException e) {
      dropped.add(batch.size());
      failedBatches.increment();
      if (!failing) {
        log.warn(
            "{}: a batch of {} failed ({}); dropping batches until one passes",
            name,
            batch.size(),
            e.toString());
      }
      return true;
    }
  }

  /** Delivers what is queued at once (waiting at most {@code timeoutMillis}), then stops. */
  public void close(long timeoutMillis) {
    closing = true;
    LockSupport.unpark(thread);
    try {
      thread.join(timeoutMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@link #close(long)} waiting at most 5 s. */
  @Override
  public void close() {
    close(5000);
  }
}
