package dev.sluice.sidecar.timer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Invariant: a timeout runs once, on its loop, never before its delay has passed, unless cancelled
 * or re-armed first, whatever the other timeouts do from their tasks; the loop holds at most one
 * scheduled task for all of them.
 */
class TimerWheelTest {
  private final EventLoop loop = new DefaultEventLoop();

  @AfterEach
  void stop() throws Exception {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }

  private <T> T on(Callable<T> work) throws Exception {
    return loop.submit(work).get(5, TimeUnit.SECONDS);
  }

  @Test
  void timeoutsRunNeverEarlyAndInDeadlineOrderAcrossTurnsOfTheWheel() throws Exception {
    // delays across several turns (1,024 slots of 1 ms) and sharing slots
    long[] delaysMillis = {0, 1, 3, 7, 40, 1023, 1024, 1025, 1500, 2049, 40 + 1024};
    List<long[]> fired = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch all = new CountDownLatch(delaysMillis.length);
    on(
        () -> {
          for (long delay : delaysMillis) {
            long armedAt = System.nanoTime();
            new Timeout(
                    () -> {
                      assertThat(loop.inEventLoop()).isTrue();
                      fired.add(new long[] {delay, System.nanoTime() - armedAt});
                      all.countDown();
                    })
                .arm(loop, TimeUnit.MILLISECONDS.toNanos(delay));
          }
          return null;
        });
    assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
    long previous = -1;
    for (long[] f : fired) {
      assertThat(f[1]).as("ran after %d ms", f[0]).isGreaterThanOrEqualTo(f[0] * 1_000_000);
      assertThat(f[0]).as("in deadline order").isGreaterThanOrEqualTo(previous);
      previous = f[0];
    }
    assertThat(on(() -> TimerWheel.of(loop).size())).isZero();
    assertThat(on(() -> scheduledTasks(loop))).as("no wakeup left when empty").isZero();
  }

  @Test
  void cancelledAndReArmedTimeoutsRunOnlyForTheirLastArming() throws Exception {
    AtomicInteger cancelledRuns = new AtomicInteger();
    AtomicInteger reArmedRuns = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(1);
    long[] reArmedAt = new long[1];
    on(
        () -> {
          Timeout cancelled = new Timeout(cancelledRuns::incrementAndGet);
          cancelled.arm(loop, TimeUnit.MILLISECONDS.toNanos(5));
          cancelled.cancel();
          assertThat(cancelled.armed()).isFalse();
          Timeout reArmed =
              new Timeout(
                  () -> {
                    reArmedRuns.incrementAndGet();
                    assertThat(System.nanoTime() - reArmedAt[0])
                        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(60));
                    done.countDown();
                  });
          reArmed.arm(loop, TimeUnit.MILLISECONDS.toNanos(5));
          reArmedAt[0] = System.nanoTime();
          reArmed.arm(loop, TimeUnit.MILLISECONDS.toNanos(60));
          return null;
        });
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    // the 60 ms timeout ran, so a 5 ms one would have run before it: no wait needed
    assertThat(cancelledRuns).hasValue(0);
    assertThat(reArmedRuns).hasValue(1);
  }

  @Test
  void aTaskMayCancelOrReArmAnotherTimeoutThatIsDueInTheSameTick() throws Exception {
    List<String> ran = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(1);
    on(
        () -> {
          Timeout[] timeouts = new Timeout[3];
          timeouts[0] = new Timeout(() -> ran.add("b-rearmed"));
          timeouts[1] = new Timeout(() -> ran.add("c-cancelled"));
          timeouts[2] =
              new Timeout(
                  () -> {
                    ran.add("a");
                    timeouts[1].cancel();
                    timeouts[0].arm(loop, TimeUnit.MILLISECONDS.toNanos(20));
                  });
          // the last armed is first on its slot's list, so it runs first
          timeouts[0].arm(loop, TimeUnit.MILLISECONDS.toNanos(10));
          timeouts[1].arm(loop, TimeUnit.MILLISECONDS.toNanos(10));
          timeouts[2].arm(loop, TimeUnit.MILLISECONDS.toNanos(10));
          new Timeout(done::countDown).arm(loop, TimeUnit.MILLISECONDS.toNanos(80));
          return null;
        });
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).containsExactly("a", "b-rearmed");
  }

  @Test
  void manyTimeoutsShareOneScheduledTaskOfTheLoop() throws Exception {
    int count = 10_000;
    List<Timeout> timeouts = new ArrayList<>();
    on(
        () -> {
          for (int i = 0; i < count; i++) {
            Timeout timeout = new Timeout(() -> {});
            timeout.arm(loop, TimeUnit.SECONDS.toNanos(30 + i % 100));
            timeouts.add(timeout);
          }
          return null;
        });
    assertThat(on(() -> TimerWheel.of(loop).size())).isEqualTo(count);
    assertThat(on(() -> scheduledTasks(loop))).isEqualTo(1);
    on(
        () -> {
          timeouts.forEach(Timeout::cancel);
          return null;
        });
    assertThat(on(() -> TimerWheel.of(loop).size())).isZero();
    assertThat(on(() -> scheduledTasks(loop))).isLessThanOrEqualTo(1);
  }

  @Test
  void armingOffTheLoopIsRefused() {
    Timeout timeout = new Timeout(() -> {});
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> timeout.arm(loop, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("on its event loop");
  }

  /** The loop's scheduled-task queue, which Netty does not expose. */
  private static int scheduledTasks(EventLoop loop) throws Exception {
    Method queue = AbstractScheduledEventExecutor.class.getDeclaredMethod("scheduledTaskQueue");
    queue.setAccessible(true);
    return ((Queue<?>) queue.invoke(loop)).size();
  }
}
