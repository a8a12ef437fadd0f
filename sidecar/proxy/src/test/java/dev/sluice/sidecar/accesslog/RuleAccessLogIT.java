package dev.sluice.sidecar.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sidecar.Sidecar;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.testing.Http1Client;
import dev.sluice.sidecar.testing.ScriptedUpstream;
import dev.sluice.sidecar.transport.Io;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each rule's exchanges are logged as that rule's accessLog says — sampled-out successes absent,
 * failures always there, its headers with the redacted ones as [redacted], the query only where
 * kept — requests no rule takes as strictly as the listener's strictest rule, and a reload that
 * changes the settings applies to the next request on a connection that stays open.
 */
class RuleAccessLogIT {
  /**
   * Three rules on one listener: {@code quiet} logs no success, {@code loud} every exchange with
   * its query and three headers (two redacted), {@code off} nothing.
   */
  static final String CONFIG =
      """
      version: 1
      admin: {address: 127.0.0.1:0}
      listeners: [{name: web, address: 127.0.0.1:0}]
      rules:
        - name: quiet
          listener: web
          matches: [{path: {type: Prefix, value: /quiet}}]
          upstream: {endpoints: [%1$s]}
          accessLog: {successSampleRate: %2$s, headers: [%3$s], includeQuery: %4$s}
        - name: loud
          listener: web
          matches: [{path: {type: Prefix, value: /loud}}]
          upstream: {endpoints: [%1$s]}
          accessLog:
            headers: [x-request-id, authorization, x-api-key]
            redactHeaders: [authorization, x-api-key]
            includeQuery: true
        - name: off
          listener: web
          matches: [{path: {type: Prefix, value: /off}}]
          upstream: {endpoints: [%1$s]}
          accessLog: {enabled: false}
      """;

  private final CapturedAccessLog log = new CapturedAccessLog();
  private ScriptedUpstream upstream;
  private Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    // a path with /fail in it gets 503, anything else 200
    upstream =
        new ScriptedUpstream(
            (in, o) -> {
              String head = ScriptedUpstream.readHead(in);
              String status = head.contains("/fail") ? "503 Service Unavailable" : "200 OK";
              ScriptedUpstream.write(
                  o, "HTTP/1.1 " + status + "\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
            });
    sidecar = new Sidecar(2, Io.defaults(), log.output()).start(config("0", "x-request-id", false));
  }

  @AfterEach
  void stop() throws IOException {
    sidecar.close();
    upstream.close();
  }

  SidecarConfig config(String quietRate, String quietHeaders, boolean quietQuery) throws Exception {
    return SidecarConfigCodec.readYaml(
        CONFIG.formatted(upstream.address(), quietRate, quietHeaders, quietQuery), "rules");
  }

  @Test
  void eachRuleLogsAsItsSettingsSay() throws Exception {
    try (Socket client = connect()) {
      assertThat(get(client, "/quiet/ok?token=1", "x-request-id: q1")).isEqualTo(200);
      assertThat(get(client, "/quiet/fail?token=2", "x-request-id: q2")).isEqualTo(503);
      assertThat(
              get(
                  client,
                  "/loud/ok?token=3",
                  "x-request-id: l3",
                  "Authorization: Bearer abc",
                  "X-Api-Key: k-123",
                  "User-Agent: curl/8"))
          .isEqualTo(200);
      assertThat(get(client, "/off/fail", "x-request-id: o4")).isEqualTo(503);
      assertThat(get(client, "/nowhere?token=5", "x-request-id: n5", "X-Api-Key: k-5"))
          .isEqualTo(404);
    }

    // The last request's line is written after every earlier exchange of the connection ended.
    List<JsonNode> lines = log.lines(3);
    assertThat(lines)
        .extracting(l -> l.get("path").asText())
        .as("the quiet success and everything of the rule that is off are not logged")
        .containsExactly("/quiet/fail", "/loud/ok?token=3", "/nowhere");
    JsonNode failure = lines.get(0);
    assertThat(failure.get("rule").asText()).isEqualTo("quiet");
    assertThat(failure.get("status").asInt()).isEqualTo(503);
    assertThat(failure.get("headers").toString()).isEqualTo("{\"x-request-id\":\"q2\"}");
    JsonNode loud = lines.get(1);
    assertThat(loud.get("rule").asText()).isEqualTo("loud");
    assertThat(loud.get("headers").toString())
        .as("configured headers only, in configured order, the redacted ones redacted")
        .isEqualTo(
            "{\"x-request-id\":\"l3\",\"authorization\":\"[redacted]\","
                + "\"x-api-key\":\"[redacted]\"}");
    JsonNode noRule = lines.get(2);
    assertThat(noRule.get("rule").asText()).isEmpty();
    assertThat(noRule.get("cause").asText()).isEqualTo("local");
    assertThat(noRule.get("headers").toString())
        .as("the listener's rules' headers, redacted where any rule redacts them")
        .isEqualTo("{\"x-request-id\":\"n5\",\"x-api-key\":\"[redacted]\"}");
  }

  @Test
  void aReloadChangesTheSettingsForTheNextRequestOnAConnectionThatStaysOpen() throws Exception {
    try (Socket client = connect()) {
      assertThat(get(client, "/quiet/ok?token=1", "User-Agent: a")).isEqualTo(200);
      assertThat(get(client, "/quiet/fail", "User-Agent: b")).isEqualTo(503);
      assertThat(log.lines(1).get(0).get("path").asText()).isEqualTo("/quiet/fail");

      SidecarReport report =
          sidecar.reload(() -> config("1", "user-agent", true)).get(30, TimeUnit.SECONDS);
      assertThat(report.outcome()).isEqualTo(SidecarReport.Outcome.Applied);

      assertThat(get(client, "/quiet/ok?token=2", "User-Agent: c", "x-request-id: r2"))
          .as("served on the connection opened before the reload")
          .isEqualTo(200);
    }
    List<JsonNode> lines = log.lines(2);
    JsonNode after = lines.get(1);
    assertThat(after.get("path").asText()).as("now with its query").isEqualTo("/quiet/ok?token=2");
    assertThat(after.get("status").asInt()).as("a success, now logged").isEqualTo(200);
    assertThat(after.get("headers").toString()).isEqualTo("{\"user-agent\":\"c\"}");
  }

  private Socket connect() throws IOException {
    Socket socket =
        new Socket(
            InetAddress.getLoopbackAddress(), sidecar.listenerAddresses().get("web").getPort());
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** One keep-alive request on {@code client}; its response's status. */
  private static int get(Socket client, String path, String... headers) throws IOException {
    StringBuilder head = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: shop.example\r\n");
    for (String header : headers) {
      head.append(header).append("\r\n");
    }
    client.getOutputStream().write(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
    client.getOutputStream().flush();
    Http1Client.Response response = Http1Client.readResponse(client.getInputStream());
    assertThat(response.headers().getOrDefault("connection", ""))
        .as("the connection stays open")
        .doesNotContainIgnoringCase("close");
    return response.status();
  }
}
