package dev.sluice.sidecar.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminationTest {
  @Test
  void theCodeIsWhoThenWhere() {
    assertThat(Termination.COMPLETED.code()).isEqualTo("--");
    assertThat(Termination.of(Actor.UPSTREAM, Stage.HEADERS, Cause.TIMEOUT_REQUEST).code())
        .isEqualTo("UH");
    assertThat(Termination.of(Actor.AGENT, Stage.OFFLOAD, Cause.DENIED, "403").code())
        .isEqualTo("AO");
    assertThat(Termination.of(Actor.CLIENT, Stage.NONE, Cause.CLOSED).at(Stage.DATA).code())
        .isEqualTo("CD");
  }

  @Test
  void onlyACompletedExchangeAnEndedTunnelARedirectOrAPreflightHasNotFailed() {
    assertThat(Termination.COMPLETED.failed()).isFalse();
    assertThat(Termination.of(Actor.NONE, Stage.NONE, Cause.TUNNEL_ENDED).failed()).isFalse();
    assertThat(Termination.of(Actor.NONE, Stage.NONE, Cause.REDIRECT, "301").failed()).isFalse();
    assertThat(Termination.of(Actor.NONE, Stage.NONE, Cause.CORS_PREFLIGHT).failed()).isFalse();
    for (Cause cause : Cause.values()) {
      if (cause != Cause.OK
          && cause != Cause.TUNNEL_ENDED
          && cause != Cause.REDIRECT
          && cause != Cause.CORS_PREFLIGHT) {
        assertThat(Termination.of(Actor.PROXY, Stage.REQUEST, cause).failed())
            .as(cause.name())
            .isTrue();
      }
    }
  }

  @Test
  void labelsAreDistinctSnakeCase() {
    assertThat(Cause.values())
        .extracting(Cause::label)
        .doesNotHaveDuplicates()
        .allMatch(label -> label.matches("[a-z]+(_[a-z]+)*"));
  }
}
