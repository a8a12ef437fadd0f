package dev.sluice.sidecar.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AccessLogWriterTest {
  @Test
  void everyOfferedEntryIsOneLineAndAQuietWriterHasFlushedIt() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (AccessLogWriter writer = new AccessLogWriter(out, 16)) {
      for (int i = 0; i < 10; i++) {
        assertThat(
                writer.offer(
                    AccessLogFormatTest.entry(Termination.COMPLETED, "/" + i),
                    AccessLogFormat.JSON))
            .isTrue();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> writer.written() == 10);
      assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(10);
      assertThat(writer.dropped()).isZero();
    }
  }

  /** An output that blocks (a full pipe) fills the queue; offers then drop at once. */
  @Test
  void aStuckOutputDropsAndCountsInsteadOfBlockingTheCaller() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    OutputStream stuck =
        new OutputStream() {
          @Override
          public void write(int b) {
            written.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException(e);
            }
            written.write(b, off, len);
          }
        };
    AccessLogWriter writer = new AccessLogWriter(stuck, 4);
    long started = System.nanoTime();
    int accepted = 0;
    for (int i = 0; i < 1000; i++) {
      if (writer.offer(
          AccessLogFormatTest.entry(Termination.COMPLETED, "/" + i), AccessLogFormat.TEXT)) {
        accepted++;
      }
    }
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    // The writer holds one batch in the stuck write: the line it took, and what it drained then,
    // at most a full queue (4) refilled meanwhile; 4 more wait in the queue. Never more than that.
    assertThat(accepted).isBetween(4, 4 + 1 + 4);
    assertThat(writer.dropped()).isEqualTo(1000 - accepted);
    assertThat(tookMillis).as("never waited for the output").isLessThan(10_000);
    release.countDown();
    writer.close(10_000);
    assertThat(written.toString(StandardCharsets.UTF_8).lines()).hasSize(accepted);
  }

  @Test
  void closingWritesWhatIsQueuedThenRefusesMore() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AccessLogWriter writer = new AccessLogWriter(out, 64);
    for (int i = 0; i < 50; i++) {
      writer.offer(AccessLogFormatTest.entry(Termination.COMPLETED, "/" + i), AccessLogFormat.JSON);
    }
    writer.close(10_000);
    assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(50);
    assertThat(
            writer.offer(
                AccessLogFormatTest.entry(Termination.COMPLETED, "/late"), AccessLogFormat.JSON))
        .isFalse();
    assertThat(writer.dropped()).isEqualTo(1);
  }
}
