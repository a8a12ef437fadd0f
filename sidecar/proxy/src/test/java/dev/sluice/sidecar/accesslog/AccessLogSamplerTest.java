package dev.sluice.sidecar.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AccessLogSamplerTest {
  private static final Termination RESET =
      Termination.of(Actor.CLIENT, Stage.DATA, Cause.RESET, "CANCEL");

  @Test
  void failuresAndServerErrorsAreAlwaysLoggedWhateverTheRate() {
    AccessLogSampler none = new AccessLogSampler(0.0);
    for (int i = 0; i < 1000; i++) {
      assertThat(none.logs(RESET, 200)).isTrue();
      assertThat(none.logs(Termination.COMPLETED, 503)).isTrue();
      assertThat(none.logs(Termination.COMPLETED, 200)).isFalse();
    }
  }

  /** 10,000 draws at 10 %: within 5 standard deviations (σ = 30) of 1,000. */
  @Test
  void successesAreSampledAtTheConfiguredShare() {
    AccessLogSampler tenth = new AccessLogSampler(0.1);
    int logged = 0;
    for (int i = 0; i < 10_000; i++) {
      logged += tenth.logs(Termination.COMPLETED, 200) ? 1 : 0;
    }
    assertThat(logged).isBetween(850, 1150);
    assertThat(AccessLogSampler.ALL.logs(Termination.COMPLETED, 204)).isTrue();
  }

  @Test
  void aRateOutsideZeroToOneIsRefusedNamingIt() {
    assertThatThrownBy(() -> new AccessLogSampler(1.5)).hasMessageContaining("1.5");
    assertThatThrownBy(() -> new AccessLogSampler(Double.NaN)).hasMessageContaining("NaN");
  }
}
