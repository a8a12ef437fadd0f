package dev.sluice.cli.check;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Invariant: Gateway API releases compare as versions, and what is no version is not compared. */
class GatewayApiCheckTest {
  @Test
  void releasesCompareAsVersions() {
    assertThat(GatewayApiCheck.compare("v1.4.1", "v1.4.1")).isZero();
    assertThat(GatewayApiCheck.compare("v1.3.0", "v1.4.1")).isNegative();
    assertThat(GatewayApiCheck.compare("v1.10.0", "v1.4.1")).isPositive();
    assertThat(GatewayApiCheck.compare("v1.5.0-rc.1", "v1.4.1")).isPositive();
    assertThat(GatewayApiCheck.compare("", "v1.4.1")).isNull();
    assertThat(GatewayApiCheck.compare("1.4", "v1.4.1")).isNull();
  }
}
