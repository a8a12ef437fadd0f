package dev.sluice.sidecar.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A config whose only change is static endpoints (which, how many, their order) is in place. */
class StaticEndpointChangeTest {
  private static SidecarConfig config(String endpoints, String timeout) throws Exception {
    return SidecarConfigCodec.readYaml(
        """
        version: 1
        listeners: [{name: http, address: "127.0.0.1:0", protocol: HTTP}]
        rules:
          - name: web
            listener: http
            upstream: {protocol: http1, endpoints: %s}
            timeouts: {request: %s}
        """
            .formatted(endpoints, timeout),
        "test");
  }

  @Test
  void endpointsOnlyIsInPlace() throws Exception {
    SidecarConfig running = config("[127.0.0.1:1, 127.0.0.1:2]", "10s");
    assertThat(StaticEndpointChange.between(running, config("[127.0.0.1:2, 127.0.0.1:3]", "10s")))
        .isEqualTo(Map.of("web", List.of("127.0.0.1:2", "127.0.0.1:3")));
    assertThat(StaticEndpointChange.between(running, config("[127.0.0.1:2, 127.0.0.1:1]", "10s")))
        .as("order only")
        .isEqualTo(Map.of("web", List.of("127.0.0.1:2", "127.0.0.1:1")));
  }

  @Test
  void anythingElseIsAReload() throws Exception {
    SidecarConfig running = config("[127.0.0.1:1]", "10s");
    assertThat(StaticEndpointChange.between(running, config("[127.0.0.1:2]", "20s"))).isNull();
    assertThat(StaticEndpointChange.between(running, config("[127.0.0.1:1]", "10s")))
        .as("no change at all")
        .isNull();
    SidecarConfig logged =
        SidecarConfigCodec.readYaml(
            SidecarConfigCodec.toYaml(config("[127.0.0.1:2]", "10s"))
                .replace("  upgrades:", "  accessLog: {includeQuery: true}\n  upgrades:"),
            "test");
    assertThat(logged.rules().get(0).accessLog().includeQuery()).isTrue();
    assertThat(StaticEndpointChange.between(running, logged))
        .as("the access log is the rule's, built with its generation")
        .isNull();
  }

  private static SidecarConfig mirrored(String endpoints, int percent) throws Exception {
    return SidecarConfigCodec.readYaml(
        """
        version: 4
        listeners: [{name: http, address: "127.0.0.1:0", protocol: HTTP}]
        rules:
          - name: web
            listener: http
            upstream: {protocol: http1, endpoints: [127.0.0.1:1]}
            mirrors: [{upstream: {protocol: h2c, endpoints: %s}, percent: %d}]
        """
            .formatted(endpoints, percent),
        "test");
  }

  @Test
  void aMirrorsEndpointsAreAPlaceOfTheirOwn() throws Exception {
    SidecarConfig running = mirrored("[127.0.0.1:7]", 10);
    assertThat(StaticEndpointChange.between(running, mirrored("[127.0.0.1:8, 127.0.0.1:9]", 10)))
        .isEqualTo(
            Map.of(
                "web", List.of("127.0.0.1:1"),
                "web mirrors[0]", List.of("127.0.0.1:8", "127.0.0.1:9")));
    assertThat(StaticEndpointChange.between(running, mirrored("[127.0.0.1:8]", 20)))
        .as("the mirror's share changed too")
        .isNull();
  }
}
