package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.Timeouts;
import dev.sluice.sidecar.timer.Timeout;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Invariant: an exchange's timers run each at most once per arming, the whole-exchange one for the
 * exchange's start plus its bound, a try's own for each try, and an ending's {@code cancel()} stops
 * every one of them; a rule without Gateway API's bounds arms nothing for them. Expiries are
 * observed in deadline order on a real loop: a sentinel timeout armed after every deadline has run
 * only once every earlier one had its chance.
 */
class ExchangeTimersTest {
  private static final Duration SHORT = Duration.ofMillis(20);

  private final EventLoop loop = new DefaultEventLoop();
  private final List<String> expired = new CopyOnWriteArrayList<>();
  private final AtomicLong now = new AtomicLong();

  @AfterEach
  void stop() throws Exception {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }

  private <T> T on(Callable<T> work) throws Exception {
    return loop.submit(work).get(5, TimeUnit.SECONDS);
  }

  private ExchangeTimers timers(Timeouts timeouts) {
    return new ExchangeTimers(now::get, loop, timeouts, "r", (kind, sentence) -> expired.add(kind));
  }

  /** Waits until a timeout armed now for {@code millis} ran: every earlier deadline has passed. */
  private void passed(long millis) throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    on(
        () -> {
          new Timeout(ran::countDown).arm(loop, TimeUnit.MILLISECONDS.toNanos(millis));
          return null;
        });
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void anEndingCancelsEveryTimerItArmed() throws Exception {
    Timeouts all =
        new Timeouts(Duration.ofSeconds(5), SHORT, SHORT, Duration.ofHours(1), SHORT, SHORT);
    on(
        () -> {
          ExchangeTimers timers = timers(all);
          timers.armExchange();
          timers.armIdle();
          timers.armBackendRequest();
          timers.armRequestOnce();
          timers.cancel();
          return null;
        });
    passed(100);
    assertThat(expired).as("nothing runs after the ending").isEmpty();
  }

  @Test
  void theWholeExchangeCountsFromTheStartAndEachTryHasItsOwn() throws Exception {
    Timeouts bounded =
        new Timeouts(
            Duration.ofSeconds(5),
            Duration.ofHours(1),
            Duration.ofHours(1),
            Duration.ofHours(1),
            Duration.ofSeconds(10),
            SHORT);
    on(
        () -> {
          ExchangeTimers timers = timers(bounded);
          // The first try is given up before its bound; the second runs out of its own.
          timers.armBackendRequest();
          timers.cancelBackendRequest();
          timers.armBackendRequest();
          // 10 s went by since the exchange started (its offload, say): nothing of its bound left.
          now.addAndGet(Duration.ofSeconds(10).toNanos());
          timers.armExchange();
          return null;
        });
    passed(100);
    assertThat(expired)
        .containsExactlyInAnyOrder(ExchangeTimers.EXCHANGE, ExchangeTimers.BACKEND_REQUEST);
  }

  @Test
  void aRuleWithoutGatewayBoundsArmsNoneOfThem() throws Exception {
    on(
        () -> {
          ExchangeTimers timers = timers(Timeouts.DEFAULT);
          now.addAndGet(Duration.ofDays(1).toNanos());
          timers.armExchange();
          timers.armBackendRequest();
          return null;
        });
    passed(50);
    assertThat(expired).isEmpty();
  }
}
