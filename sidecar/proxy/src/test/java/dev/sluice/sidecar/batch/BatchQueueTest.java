package dev.sluice.sidecar.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A batch goes out when it is full, when the delay since its first item has passed, or at once on
 * closing; offers never wait, and what cannot be delivered is dropped and counted.
 */
class BatchQueueTest {
  private static final Duration HOUR = Duration.ofHours(1);

  /** The batches a sink was given, copied (the queue reuses its list). */
  private final List<List<Integer>> batches = new CopyOnWriteArrayList<>();

  private final BatchQueue.Sink<Integer> recording =
      (batch, drained) -> batches.add(List.copyOf(batch));

  @Test
  void withNoDelayOneWaitingItemGoesOutAtOnce() {
    try (BatchQueue<Integer> queue =
        new BatchQueue<>("test-batch", 16, 4, Duration.ZERO, recording)) {
      assertThat(queue.offer(1)).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> queue.delivered() == 1);
      assertThat(batches).containsExactly(List.of(1));
    }
  }

  @Test
  void aPartialBatchWaitsUntilItIsFull() throws InterruptedException {
    try (BatchQueue<Integer> queue = new BatchQueue<>("test-batch", 16, 4, HOUR, recording)) {
      queue.offer(1);
      queue.offer(2);
      queue.offer(3);
      // Three of four, an hour's delay: nothing may come out for as long as we watch.
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(batches::isEmpty);
      queue.offer(4);
      await().atMost(Duration.ofSeconds(10)).until(() -> queue.delivered() == 4);
      assertThat(batches).containsExactly(List.of(1, 2, 3, 4));
    }
  }

  @Test
  void aPartialBatchGoesOutOnceTheDelayHasPassed() {
    try (BatchQueue<Integer> queue =
        new BatchQueue<>("test-batch", 16, 100, Duration.ofMillis(300), recording)) {
      queue.offer(1);
      queue.offer(2);
      await().atMost(Duration.ofSeconds(10)).until(() -> queue.delivered() == 2);
      assertThat(batches).containsExactly(List.of(1, 2));
    }
  }

  @Test
  void closingDeliversAPartialBatchAtOnceThenRefusesMore() {
    BatchQueue<Integer> queue = new BatchQueue<>("test-batch", 16, 100, HOUR, recording);
    queue.offer(1);
    queue.offer(2);
    queue.offer(3);
    queue.close(30_000);
    assertThat(batches).containsExactly(List.of(1, 2, 3));
    assertThat(queue.offer(4)).isFalse();
    assertThat(queue.dropped()).isEqualTo(1);
    assertThat(queue.delivered()).isEqualTo(3);
  }

  @Test
  void aFailedBatchIsDroppedAndCountedAndTheNextOnePasses() {
    AtomicBoolean fail = new AtomicBoolean(true);
    BatchQueue.Sink<Integer> failingOnce =
        (batch, drained) -> {
          if (fail.getAndSet(false)) {
            throw new IOException("the output is gone");
          }
          recording.deliver(batch, drained);
        };
    try (BatchQueue<Integer> queue =
        new BatchQueue<>("test-batch", 16, 4, Duration.ZERO, failingOnce)) {
      queue.offer(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> queue.failedBatches() == 1);
      assertThat(queue.dropped()).isEqualTo(1);
      queue.offer(2);
      await().atMost(Duration.ofSeconds(10)).until(() -> queue.delivered() == 1);
      assertThat(batches).containsExactly(List.of(2));
    }
  }

  @Test
  void aDrainedQueueSaysSoSoASinkKnowsToFlush() {
    List<Boolean> drained = new CopyOnWriteArrayList<>();
    try (BatchQueue<Integer> queue =
        new BatchQueue<>("test-batch", 16, 4, Duration.ZERO, (batch, d) -> drained.add(d))) {
      queue.offer(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> queue.delivered() == 1);
      assertThat(drained).containsExactly(true);
    }
  }

  @Test
  void settingsOutOfRangeNameTheFieldTheValueAndWhatWasExpected() {
    assertThatThrownBy(() -> new BatchQueue<>("test-batch", 0, 4, Duration.ZERO, recording))
        .hasMessage("capacity: 0 (expected at least 1)");
    assertThatThrownBy(() -> new BatchQueue<>("test-batch", 4, 0, Duration.ZERO, recording))
        .hasMessage("batchSize: 0 (expected at least 1)");
    assertThatThrownBy(
            () -> new BatchQueue<>("test-batch", 4, 4, Duration.ofSeconds(-1), recording))
        .hasMessage("maxDelay: PT-1S (expected zero or more)");
  }
}
