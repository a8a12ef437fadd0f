package dev.sluice.sidecar.http2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The reset limits count as Netty's do: a fixed window that starts with its first reset. */
class ResetBudgetTest {
  private long now = 1_000;
  private final ResetBudget budget = new ResetBudget(3, TimeUnit.SECONDS.toNanos(30), () -> now);

  @Test
  void theResetPastTheLimitWithinTheWindowIsRefused() {
    assertThat(budget.spend()).isTrue();
    now += TimeUnit.SECONDS.toNanos(29);
    assertThat(budget.spend()).isTrue();
    assertThat(budget.spend()).isTrue();
    assertThat(budget.spend()).as("the fourth within 30 s").isFalse();
  }

  @Test
  void aNewWindowStartsAfreshOnceTheLastOneEnded() {
    for (int i = 0; i < 3; i++) {
      assertThat(budget.spend()).isTrue();
    }
    now += TimeUnit.SECONDS.toNanos(30);
    for (int i = 0; i < 3; i++) {
      assertThat(budget.spend()).as("reset %d of the new window", i + 1).isTrue();
    }
    assertThat(budget.spend()).isFalse();
  }
}
