package dev.sluice.sidecar.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessLogFormatTest {
  static AccessLogEntry entry(Termination termination, String path) {
    return new AccessLogEntry(
        1_796_601_600_123L,
        "http",
        "shop.checkout",
        "HTTP/2",
        "10.0.0.7:51234",
        "POST",
        "shop.example",
        path,
        504,
        16_385,
        0,
        "10.0.1.4:8080",
        "HTTP/2",
        new AccessLogEntry.Timings(812, -1, 95, -1, 30_000_211),
        1,
        true,
        "4bf92f3577b34da6a3ce929d0e0e4736",
        termination,
        List.of(Map.entry("user-agent", "curl/8.1"), Map.entry("authorization", "[redacted]")));
  }

  @Test
  void jsonIsOneObjectWithEveryFieldTheDocsName() throws Exception {
    Termination timedOut = Termination.of(Actor.UPSTREAM, Stage.HEADERS, Cause.TIMEOUT_REQUEST);
    String line = AccessLogFormat.JSON.format(entry(timedOut, "/cart"));

    assertThat(line).doesNotContain("\n");
    JsonNode json = new ObjectMapper().readTree(line);
    assertThat(json.get("time").asText()).isEqualTo("2026-12-07T00:00:00.123Z");
    assertThat(json.get("termination").asText()).isEqualTo("UH");
    assertThat(json.get("cause").asText()).isEqualTo("timeout_request");
    assertThat(json.get("detail").isNull()).isTrue();
    assertThat(json.get("status").asInt()).isEqualTo(504);
    assertThat(json.get("bytes_in").asLong()).isEqualTo(16_385);
    assertThat(json.get("offload_request_us").asLong()).isEqualTo(812);
    assertThat(json.get("first_byte_us").asLong()).isEqualTo(-1);
    assertThat(json.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(json.get("upstream_ejected").asBoolean()).isTrue();
    assertThat(json.get("headers").get("authorization").asText()).isEqualTo("[redacted]");
    assertThat(json.fieldNames())
        .toIterable()
        .containsExactly(
            "time",
            "listener",
            "rule",
            "protocol",
            "client",
            "method",
            "authority",
            "path",
            "status",
            "bytes_in",
            "bytes_out",
            "upstream",
            "upstream_protocol",
            "offload_request_us",
            "offload_response_us",
            "connect_us",
            "first_byte_us",
            "total_us",
            "retries",
            "upstream_ejected",
            "trace_id",
            "termination",
            "cause",
            "detail",
            "headers");
  }

  @Test
  void whatAClientSentCannotBreakTheLineOrTheObject() throws Exception {
    String hostile = "/a\"b\\c\nd\re\tf\u0001g\u2028h";
    String line =
        AccessLogFormat.JSON.format(
            entry(
                Termination.of(Actor.CLIENT, Stage.REQUEST, Cause.MALFORMED, "bad chunk"),
                hostile));

    assertThat(line).doesNotContain("\n", "\r", "\u2028");
    assertThat(new ObjectMapper().readTree(line).get("path").asText()).isEqualTo(hostile);
  }

  @Test
  void textIsOneLineInHaproxysSpirit() {
    String line =
        AccessLogFormat.TEXT.format(
            entry(Termination.of(Actor.CLIENT, Stage.DATA, Cause.RESET, "CANCEL"), "/cart"));

    assertThat(line)
        .isEqualTo(
            "2026-12-07T00:00:00.123Z 10.0.0.7:51234 http shop.checkout \"POST shop.example/cart"
                + " HTTP/2\" 504 CD reset(CANCEL) 16385 0 10.0.1.4:8080 HTTP/2"
                + " 812/95/-1/-1/30000211 1 ejected 4bf92f3577b34da6a3ce929d0e0e4736"
                + " user-agent=\"curl/8.1\" authorization=\"[redacted]\"");
  }
}
