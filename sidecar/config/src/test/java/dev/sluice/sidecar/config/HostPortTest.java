package dev.sluice.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "127.0.0.1:80, 127.0.0.1, 80",
    "localhost:65535, localhost, 65535",
    "[::1]:8080, ::1, 8080",
    "[fd00::5]:1, fd00::5, 1",
    "svc.ns.svc.cluster.local:443, svc.ns.svc.cluster.local, 443",
  })
  void parses(String text, String host, int port) {
    HostPort parsed = HostPort.parse(text);
    assertThat(parsed).isEqualTo(new HostPort(host, port));
    assertThat(parsed.toString()).isEqualTo(text);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(
      strings = {
        "",
        "host",
        "host:",
        ":80",
        "host:0",
        "host:65536",
        "host:80x",
        "::1:80",
        "[x]:80",
        "a b:80",
        "host:-1",
        "host:123456"
      })
  void rejects(String text) {
    assertThatThrownBy(() -> HostPort.parse(text))
        .hasMessageStartingWith("expected: host:port with port 1..65535");
  }
}
