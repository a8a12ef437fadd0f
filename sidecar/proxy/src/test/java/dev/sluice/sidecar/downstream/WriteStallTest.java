package dev.sluice.sidecar.downstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Invariant: the stalled-write watch cuts an output only after a whole limit in which bytes waited
 * and none left, and never while bytes keep leaving, however long that goes on.
 */
class WriteStallTest {
  static final long LIMIT_NANOS = TimeUnit.MILLISECONDS.toNanos(400);
  static final long PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private final EventLoop loop = new DefaultEventLoop();

  @AfterEach
  void stop() throws Exception {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }

  /** An output whose bytes leave when the test says so. */
  static final class Output implements WriteStall.Output {
    final AtomicBoolean waiting = new AtomicBoolean(true);
    final AtomicLong left = new AtomicLong();
    private long seen;

    @Override
    public boolean waiting() {
      return waiting.get();
    }

    @Override
    public boolean moved() {
      long now = left.get();
      boolean moved = now != seen;
      seen = now;
      return moved;
    }
  }

  @Test
  void silenceForTheWholeLimitCutsAndNotBefore() throws Exception {
    Output output = new Output();
    CountDownLatch cut = new CountDownLatch(1);
    AtomicLong cutAt = new AtomicLong();
    long started = System.nanoTime();
    loop.submit(
            () ->
                new WriteStall(
                        output,
                        LIMIT_NANOS,
                        loop,
                        () -> {
                          cutAt.set(System.nanoTime());
                          cut.countDown();
                        })
                    .watch())
        .get(5, TimeUnit.SECONDS);
    assertThat(cut.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(cutAt.get() - started).isGreaterThanOrEqualTo(LIMIT_NANOS);
  }

  @Test
  void bytesLeavingWithinEachLimitKeepTheOutputAliveThenSilenceCutsIt() throws Exception {
    Output output = new Output();
    CountDownLatch cut = new CountDownLatch(1);
    AtomicLong cutAt = new AtomicLong();
    loop.submit(
            () ->
                new WriteStall(
                        output,
                        LIMIT_NANOS,
                        loop,
                        () -> {
                          cutAt.set(System.nanoTime());
                          cut.countDown();
                        })
                    .watch())
        .get(5, TimeUnit.SECONDS);
    // a limit and a half of a slow reader: a few bytes every eighth of a limit
    long lastMove = 0;
    for (int i = 0; i < 12; i++) {
      assertThat(cut.await(PACE_NANOS, TimeUnit.NANOSECONDS))
          .as("cut while bytes were leaving (round %d)", i)
          .isFalse();
      output.left.incrementAndGet();
      lastMove = System.nanoTime();
    }
    assertThat(cut.await(5, TimeUnit.SECONDS)).as("cut once they stopped").isTrue();
    assertThat(cutAt.get() - lastMove).isGreaterThanOrEqualTo(LIMIT_NANOS);
  }
}
