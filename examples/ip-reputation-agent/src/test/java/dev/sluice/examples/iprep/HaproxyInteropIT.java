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
  private int stats;

  @BeforeEach
  void start() throws Exception {
    agent =
        AgentServer.builder(new IpReputation(List.of("127.0.0.2/32"), 0, 0))
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .start();
    frontend = freePort();
    stats = freePort();
    int nobody = freePort(); // closed again: nothing listens there
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
            stats socket ipv4@127.0.0.1:%d level user
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
        backend nobody
            mode tcp
            option spop-check
            server n1 127.0.0.1:%d check inter 200ms
        """
            .formatted(
                stats, frontend, dir.resolve("spoe.cfg"), agent.localAddress().getPort(), nobody));
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
    // HAProxy's own view (its stats socket): the SDK answered an SPOP health check at layer 7...
    Awaitility.await("HAProxy's first SPOP health check of the agent passed")
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> server("agents", "a1"), s -> s.checkStatus().equals("L7OK"));
    assertThat(server("agents", "a1").status()).as(log()).isEqualTo("UP");
    // ... and keeps answering them: UP with no failed check across several 200 ms intervals.
    Awaitility.await("the agent stays UP")
        .during(Duration.ofMillis(800))
        .atMost(Duration.ofSeconds(3))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> server("agents", "a1"),
            s ->
                s.status().equals("UP") && s.checkStatus().equals("L7OK") && s.failedChecks() == 0);
    // The same reading tells a failing server apart: nothing listens behind "nobody".
    Awaitility.await("the server nobody answers is DOWN")
        .atMost(Duration.ofSeconds(5))
        .until(() -> server("nobody", "n1"), s -> s.status().equals("DOWN"));
    assertThat(server("nobody", "n1").checkStatus()).isEqualTo("L4CON");
  }

  /** One server's health as HAProxy reports it ({@code show stat} on the stats socket). */
  private record ServerStat(String status, String checkStatus, long failedChecks) {}

  private ServerStat server(String backend, String name) throws IOException {
    String csv;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", stats), 2000);
      socket.setSoTimeout(5000);
      socket.getOutputStream().write("show stat\n".getBytes(StandardCharsets.US_ASCII));
      csv = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }
    String[] lines = csv.split("\n");
    List<String> header = List.of(lines[0].replaceFirst("^# ", "").split(",", -1));
    for (String line : lines) {
      String[] fields = line.split(",", -1);
      if (fields.length > 1 && fields[0].equals(backend) && fields[1].equals(name)) {
        String failed = fields[header.indexOf("chkfail")];
        return new ServerStat(
            fields[header.indexOf("status")],
            // "* L7OK" while the next check is running
            fields[header.indexOf("check_status")].replaceFirst("^\\* ", ""),
            failed.isEmpty() ? 0 : Long.parseLong(failed));
      }
    }
    throw new AssertionError("no server " + backend + "/" + name + " in:\n" + csv);
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
