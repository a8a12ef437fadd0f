package dev.sluice.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The endpoints ACK/NACK reads as it is written, and nothing else reads as one. */
class EndpointsReportTest {
  @Test
  void roundTrips() throws Exception {
    EndpointsReport applied = EndpointsReport.applied("0123456789abcdef");
    assertThat(SidecarConfigCodec.toJson(applied))
        .isEqualTo("{\"version\":\"0123456789abcdef\",\"outcome\":\"Applied\"}");
    EndpointsReport rejected = EndpointsReport.rejected("v2", "clusters[a][0].weight: 0");
    assertThat(SidecarConfigCodec.readEndpointsReport(SidecarConfigCodec.toJson(rejected)))
        .isEqualTo(rejected);
  }

  @Test
  void unknownFieldsAreRefused() {
    assertThatThrownBy(
            () ->
                SidecarConfigCodec.readEndpointsReport(
                    "{\"version\":\"v\",\"outcome\":\"Applied\",\"x\":1}"))
        .isInstanceOf(InvalidConfigException.class);
  }
}
