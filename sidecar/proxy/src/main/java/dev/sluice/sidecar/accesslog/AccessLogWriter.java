package dev.sluice.sidecar.accesslog;

import dev.sluice.sidecar.batch.BatchQueue;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes access-log entries on a thread of its own, so an event loop only ever offers an entry to a
 * bounded queue: when the queue is full (the output cannot keep up) the entry is dropped and
 * counted, never waited for. Lines are formatted and written in batches as soon as one is waiting,
 * flushed whenever the queue runs empty, so a quiet sidecar's last line is out at once. Closing
 * writes what is queued, then stops.
 */
public final class AccessLogWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AccessLogWriter.class);

  /** Entries waiting at most: about 2 MiB of memory at a few hundred bytes an entry. */
  public static final int DEFAULT_CAPACITY = 8192;

  private static final int BATCH = 256;

  private final OutputStream out;
  private final StringBuilder lines = new StringBuilder(BATCH * 256);
  private final BatchQueue<Queued> queue;

  private record Queued(AccessLogEntry entry, AccessLogFormat format) {}

  public AccessLogWriter(OutputStream out, int capacity) {
    this.out = out;
    this.queue = new BatchQueue<>("sluice-access-log", capacity, BATCH, Duration.ZERO, this::write);
  }

  /** Queues {@code entry} in {@code format}; false (and counted) when the queue is full. */
  public boolean offer(AccessLogEntry entry, AccessLogFormat format) {
    return queue.offer(new Queued(entry, format));
  }

  /** Entries dropped because the queue was full (or the writer closing), or unwritable. */
  public long dropped() {
    return queue.dropped();
  }

  /** Lines written. */
  public long written() {
    return queue.delivered();
  }

  /** On the queue's thread. */
  private void write(List<Queued> batch, boolean drained) throws IOException {
    lines.setLength(0);
    for (Queued queued : batch) {
      queued.format().append(queued.entry(), lines);
      lines.append('\n');
    }
    out.write(lines.toString().getBytes(StandardCharsets.UTF_8));
    if (drained) {
      out.flush();
    }
  }

  /** Writes what is queued (waiting at most {@code timeoutMillis}), then stops. */
  public void close(long timeoutMillis) {
    queue.close(timeoutMillis);
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
