package dev.sluice.sidecar.accesslog;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes access-log entries on a thread of its own, so an event loop only ever offers an entry to a
 * bounded queue: when the queue is full (the output cannot keep up) the entry is dropped and
 * counted, never waited for. Lines are formatted and written in batches, flushed whenever the queue
 * runs empty, so a quiet sidecar's last line is out at once. Closing writes what is queued, then
 * stops.
 */
public final class AccessLogWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AccessLogWriter.class);

  /** Entries waiting at most: about 2 MiB of memory at a few hundred bytes an entry. */
  public static final int DEFAULT_CAPACITY = 8192;

  private static final int BATCH = 256;

  private final BlockingQueue<Queued> queue;
  private final OutputStream out;
  private final LongAdder dropped = new LongAdder();
  private final LongAdder written = new LongAdder();
  private final Thread thread;
  private volatile boolean closing;

  private record Queued(AccessLogEntry entry, AccessLogFormat format) {}

  public AccessLogWriter(OutputStream out, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.out = out;
    this.thread = new Thread(this::run, "sluice-access-log");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Queues {@code entry} in {@code format}; false (and counted) when the queue is full. */
  public boolean offer(AccessLogEntry entry, AccessLogFormat format) {
    if (closing || !queue.offer(new Queued(entry, format))) {
      dropped.increment();
      return false;
    }
    return true;
  }

  /** Entries dropped because the queue was full (or the writer closing). */
  public long dropped() {
    return dropped.sum();
  }

  /** Lines written. */
  public long written() {
    return written.sum();
  }

  private void run() {
    List<Queued> batch = new ArrayList<>(BATCH);
    StringBuilder lines = new StringBuilder(BATCH * 256);
    boolean failed = false;
    while (true) {
      try {
        Queued first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closing && queue.isEmpty()) {
            return;
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        lines.setLength(0);
        for (Queued queued : batch) {
          queued.format().append(queued.entry(), lines);
          lines.append('\n');
        }
        try {
          out.write(lines.toString().getBytes(StandardCharsets.UTF_8));
          if (queue.isEmpty()) {
            out.flush();
          }
          written.add(batch.size());
          failed = false;
        } catch (IOException e) {
          dropped.add(batch.size());
          if (!failed) {
            log.warn("access log: cannot write ({}); dropping lines until it can", e.toString());
            failed = true;
          }
        }
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Writes what is queued (waiting at most {@code timeoutMillis}), then stops. */
  public void close(long timeoutMillis) {
    closing = true;
    try {
      thread.join(timeoutMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      out.flush();
    } catch (IOException e) {
      log.debug("access log: flush on close failed", e);
    }
  }

  @Override
  public void close() {
    close(2000);
  }
}
