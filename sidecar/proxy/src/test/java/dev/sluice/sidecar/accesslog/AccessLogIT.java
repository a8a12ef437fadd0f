package dev.sluice.sidecar.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.agent.AgentServer;
import dev.sluice.sidecar.Sidecar;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.testing.PathRefusingAgent;
import dev.sluice.sidecar.testing.RawHttp2;
import dev.sluice.sidecar.testing.ScriptedUpstream;
import dev.sluice.sidecar.transport.Io;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real sidecar on loopback writes one access-log line per exchange, and the line says how the
 * exchange ended: completed, timed out waiting for the upstream, reset by the client, denied by an
 * agent, cut by a limit, taken by no rule (docs/access-logs.md).
 */
class AccessLogIT {
  private final CapturedAccessLog log = new CapturedAccessLog();
  private final CountDownLatch release = new CountDownLatch(1);
  private ScriptedUpstream upstream;
  private AgentServer agent;
  private Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    // GET /slow waits until the test ends; anything else is answered at once
    upstream =
        new ScriptedUpstream(
            (in, o) -> {
              String head = ScriptedUpstream.readHead(in);
              if (head.startsWith("GET /slow")) {
                release.await(30, TimeUnit.SECONDS);
                return;
              }
              ScriptedUpstream.write(
                  o, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello");
            });
    agent = PathRefusingAgent.start();
    sidecar =
        new Sidecar(2, Io.defaults(), log.output())
            .start(
                SidecarConfigCodec.readYaml(
                    """
                    version: 1
                    admin: {address: 127.0.0.1:0}
                    listeners: [{name: web, address: 127.0.0.1:0}]
                    rules:
                      - name: shop
                        listener: web
                        upstream: {protocol: http1, endpoints: [%s]}
                        timeouts: {request: 300ms}
                        maxRequestBodyBytes: 10
                        # authorization is redacted by default, being logged
                        accessLog: {headers: [user-agent, authorization]}
                        offload: [{agent: waf}]
                        actions:
                          - deny:
                              when: {variable: txn.waf.blocked, operator: Equals, value: "true"}
                              status: 403
                    agents:
                      - name: waf
                        endpoints: [%s]
                        timeouts: {hello: 1s, idle: 30s, processing: 2s}
                        messages:
                          - name: check
                            event: Request
                            args: [{name: path, value: path}]
                        variables: {prefix: waf}
                        failurePolicy: Allow
                    """
                        .formatted(
                            upstream.address(), "127.0.0.1:" + agent.localAddress().getPort()),
                    "access-log test"));
  }

  @AfterEach
  void stop() throws IOException {
    release.countDown();
    sidecar.close();
    upstream.close();
    agent.close();
  }

  @Test
  void aCompletedExchangeSaysWhereItWentAndWhereTheTimeWent() throws Exception {
    String response =
        http1(
            "GET /cart?token=secret HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: curl/8\r\n"
                + "Authorization: Bearer abc\r\nConnection: close\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200");

    JsonNode line = onlyLine();
    assertThat(line.get("termination").asText()).isEqualTo("--");
    assertThat(line.get("cause").asText()).isEqualTo("ok");
    assertThat(line.get("status").asInt()).isEqualTo(200);
    assertThat(line.get("listener").asText()).isEqualTo("web");
    assertThat(line.get("rule").asText()).isEqualTo("shop");
    assertThat(line.get("protocol").asText()).isEqualTo("HTTP/1.1");
    assertThat(line.get("client").asText()).startsWith("127.0.0.1:");
    assertThat(line.get("authority").asText()).isEqualTo("shop.example");
    assertThat(line.get("path").asText()).as("the query left out").isEqualTo("/cart");
    assertThat(line.get("upstream").asText()).isEqualTo(upstream.address());
    assertThat(line.get("upstream_protocol").asText()).isEqualTo("HTTP/1.1");
    assertThat(line.get("bytes_out").asLong()).isEqualTo(5);
    assertThat(line.get("offload_request_us").asLong()).isPositive();
    assertThat(line.get("connect_us").asLong()).isNotNegative();
    assertThat(line.get("first_byte_us").asLong())
        .isGreaterThanOrEqualTo(line.get("offload_request_us").asLong());
    assertThat(line.get("total_us").asLong())
        .isGreaterThanOrEqualTo(line.get("first_byte_us").asLong());
    assertThat(line.get("headers").get("user-agent").asText()).isEqualTo("curl/8");
    assertThat(line.get("headers").get("authorization").asText()).isEqualTo("[redacted]");
  }

  @Test
  void anUpstreamThatNeverAnswersIsATimeoutWaitingForItsHeaders() throws Exception {
    assertThat(http1("GET /slow HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 504");
    JsonNode line = onlyLine();
    assertThat(line.get("termination").asText()).isEqualTo("UH");
    assertThat(line.get("cause").asText()).isEqualTo("timeout_request");
    assertThat(line.get("status").asInt()).isEqualTo(504);
  }

  @Test
  void aClientThatResetsItsStreamIsAClientReset() throws Exception {
    try (RawHttp2 client = new RawHttp2(port())) {
      client.get(1, "/slow");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> upstream.connections() == 1); // the request went upstream
      client.frame(RawHttp2.RST_STREAM, 0, 1, new byte[] {0, 0, 0, RawHttp2.CANCEL});
      JsonNode line = onlyLine();
      assertThat(line.get("termination").asText()).isEqualTo("CH");
      assertThat(line.get("cause").asText()).isEqualTo("reset");
      assertThat(line.get("detail").asText()).isEqualTo("CANCEL");
      assertThat(line.get("protocol").asText()).isEqualTo("HTTP/2");
      assertThat(line.get("status").asInt()).as("nothing was sent").isZero();
    }
  }

  @Test
  void anAgentsVerdictIsADenyDuringTheOffload() throws Exception {
    assertThat(http1("GET /refused HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 403");
    JsonNode line = onlyLine();
    assertThat(line.get("termination").asText()).isEqualTo("AO");
    assertThat(line.get("cause").asText()).isEqualTo("deny");
    assertThat(line.get("detail").asText()).isEqualTo("403");
    assertThat(line.get("upstream").isNull()).as("it never went upstream").isTrue();
  }

  @Test
  void aBodyOverTheLimitIsTheProxysLimitWhileReadingTheRequest() throws Exception {
    assertThat(
            http1(
                "POST /cart HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\nConnection: close\r\n\r\n"
                    + "x".repeat(100)))
        .startsWith("HTTP/1.1 413");
    JsonNode line = onlyLine();
    assertThat(line.get("termination").asText()).isEqualTo("PR");
    assertThat(line.get("cause").asText()).isEqualTo("limit");
    assertThat(line.get("detail").asText()).isEqualTo("maxRequestBodyBytes");
  }

  @Test
  void aRequestNoRuleTakesIsLoggedWithoutARule() throws Exception {
    assertThat(
            http1(
                "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 405");
    JsonNode line = onlyLine();
    assertThat(line.get("rule").asText()).isEmpty();
    assertThat(line.get("termination").asText()).isEqualTo("PR");
    assertThat(line.get("cause").asText()).isEqualTo("local");
  }

  private JsonNode onlyLine() throws IOException {
    return log.lines(1).get(0);
  }

  private int port() {
    return sidecar.listenerAddresses().get("web").getPort();
  }

  private String http1(String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }
}
