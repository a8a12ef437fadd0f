package dev.sluice.examples.iprep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.agent.AgentServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with a real SPOE client: Debian's HAProxy 2.6 sends {@code check-client-ip} to the
 * example agent (through the SDK), then denies or answers from the variables the agent set. Also
 * exercises HAProxy's SPOP health checks against the SDK.
 */
class HaproxyInteropIT {
  @TempDir Path dir;
  private AgentServer agent;
  private Process haproxy;
  private int frontend;

  @BeforeEach
  void start() throws Exception {
    agent =
        AgentServer.builder(new IpReputation(List.of("127.0.0.2/32"), 0, 0))
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .start();
    frontend = freePort();
    Files.writeString(
        dir.resolve("spoe.cfg"),
        """
        [iprep]
        spoe-agent iprep-agent
            messages check-client-ip
            option var-prefix iprep
            option set-on-error error
            timeout hello 2s
            timeout idle 30s
            timeout processing 2s
            use-backend agents
        spoe-message check-client-ip
            args ip=src
            event on-frontend-http-request
        """);
    Files.writeString(
        dir.resolve("haproxy.cfg"),
        """
        global
            nbthread 1
        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s
        frontend fe
            bind 127.0.0.1:%d
            filter spoe engine iprep config %s
            http-request deny deny_status 403 if { var(txn.iprep.blocked) -m bool }
            http-request return status 200 content-type text/plain lf-string "score=%%[var(txn.iprep.ip_score)] error=%%[var(txn.iprep.error)]"
        backend agents
            mode tcp
            option spop-check
            server a1 127.0.0.1:%d check inter 200ms
        """
            .formatted(frontend, dir.resolve("spoe.cfg"), agent.localAddress().getPort()));
    haproxy =
        new ProcessBuilder(haproxyBinary(), "-db", "-f", dir.resolve("haproxy.cfg").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("haproxy.log").toFile())
            .start();
    Awaitility.await("HAProxy listening on " + frontend)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> haproxy.isAlive() && accepts(frontend));
  }

  @AfterEach
  void stop() throws Exception {
    if (haproxy != null) {
      haproxy.destroy();
      haproxy.waitFor();
    }
    if (agent != null) {
      agent.close();
    }
  }

  @Test
  void haproxyActsOnTheVariablesTheAgentSets() throws Exception {
    int expected = IpReputation.score(InetAddress.getByName("127.0.0.1"));
    for (int i = 0; i < 20; i++) {
      Response allowed = get("127.0.0.1");
      assertThat(allowed.status()).as(log()).isEqualTo(200);
      assertThat(allowed.body()).as(log()).isEqualTo("score=" + expected + " error=");
    }
    Response denied = get("127.0.0.2");
    assertThat(denied.status()).as(log()).isEqualTo(403);
  }

  @Test
  void haproxyHealthChecksSeeTheAgentUp() throws Exception {
    get("127.0.0.1");
    Awaitility.await("health checks logged")
        .atMost(Duration.ofSeconds(5))
        .until(() -> !log().contains("is DOWN"));
    Thread.sleep(600); // a few check intervals
    assertThat(log()).doesNotContain("is DOWN").doesNotContain("SPOE: [iprep-agent] failed");
  }

  private String log() throws IOException {
    return Files.readString(dir.resolve("haproxy.log"));
  }

  private record Response(int status, String body) {}

  /** A one-shot HTTP/1.0 GET from {@code source} (any 127/8 address is local). */
  private Response get(String source) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(source, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", frontend), 2000);
      socket.setSoTimeout(5000);
      socket
          .getOutputStream()
          .write("GET / HTTP/1.0\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(response.substring(9, 12));
      int bodyAt = response.indexOf("\r\n\r\n");
      return new Response(status, bodyAt < 0 ? "" : response.substring(bodyAt + 4));
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static String haproxyBinary() {
    for (String candidate : List.of("/usr/sbin/haproxy", "/usr/local/sbin/haproxy")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "HAProxy is required for this test: apt-get install -y haproxy (.ci/run does)");
  }
}
