package dev.sluice.sidecar.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.RetryPolicy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The retry budget: a share of the requests in flight, never below its minimum, thread-safe. */
class RetryBudgetTest {
  private final RetryBudget budget = new RetryBudget();

  private void inFlight(int requests) {
    for (int i = 0; i < requests; i++) {
      budget.requestStarted();
    }
  }

  private int taken(RetryPolicy.Budget policy, int tries) {
    int taken = 0;
    for (int i = 0; i < tries; i++) {
      if (budget.tryRetry(policy)) {
        taken++;
      }
    }
    return taken;
  }

  @Test
  void aShareOfTheRequestsInFlight() {
    inFlight(100);
    assertThat(taken(new RetryPolicy.Budget(20, 3), 50)).isEqualTo(20);
    budget.retryEnded();
    assertThat(taken(new RetryPolicy.Budget(20, 3), 5)).as("one came back").isEqualTo(1);
  }

  @Test
  void neverBelowTheMinimum() {
    inFlight(4);
    assertThat(taken(new RetryPolicy.Budget(20, 3), 10)).isEqualTo(3);
  }

  @Test
  void aHundredPercentLetsEveryRequestInFlightRetry() {
    inFlight(66);
    assertThat(taken(new RetryPolicy.Budget(100, 3), 66)).isEqualTo(66);
    assertThat(taken(new RetryPolicy.Budget(100, 3), 1)).isZero();
  }

  @Test
  void noMinimumAndNoShareRefusesEveryRetry() {
    inFlight(1000);
    assertThat(taken(new RetryPolicy.Budget(0, 0), 1)).isZero();
  }

  @Test
  void loopsRacingForTheLastRetriesNeverOvershoot() throws Exception {
    inFlight(1000);
    RetryPolicy.Budget policy = new RetryPolicy.Budget(10, 0); // 100 retries allowed
    ExecutorService loops = Executors.newFixedThreadPool(4);
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger taken = new AtomicInteger();
    for (int t = 0; t < 4; t++) {
      loops.execute(
          () -> {
            try {
              go.await();
            } catch (InterruptedException e) {
              return;
            }
            for (int i = 0; i < 1000; i++) {
              if (budget.tryRetry(policy)) {
                taken.incrementAndGet();
              }
            }
          });
    }
    go.countDown();
    loops.shutdown();
    assertThat(loops.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(taken.get()).isEqualTo(100);
    assertThat(budget.retries()).isEqualTo(100);
  }
}
