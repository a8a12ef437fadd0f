package dev.sluice.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Native sidecars from Kubernetes 1.29, read from /version as API servers really report it. */
class NativeSidecarsTest {
  @Test
  void fromOneTwentyNineOn() {
    assertThat(NativeSidecars.supported("1", "28")).isFalse();
    assertThat(NativeSidecars.supported("1", "29")).isTrue();
    assertThat(NativeSidecars.supported("1", "31+")).as("GKE/EKS style minor").isTrue();
    assertThat(NativeSidecars.supported("2", "0")).isTrue();
    assertThat(NativeSidecars.supported("", "")).as("unreadable: the safe choice").isFalse();
  }
}
