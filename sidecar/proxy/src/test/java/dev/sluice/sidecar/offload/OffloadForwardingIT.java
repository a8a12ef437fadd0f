package dev.sluice.sidecar.offload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.agent.AgentHandler;
import dev.sluice.agent.AgentServer;
import dev.sluice.examples.iprep.IpReputation;
import dev.sluice.sidecar.testing.Arrival;
import dev.sluice.sidecar.testing.Http1Client;
import dev.sluice.sidecar.testing.Http2Client;
import dev.sluice.sidecar.testing.ReceivedRequest;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import dev.sluice.sidecar.testing.SchedulingLateness;
import dev.sluice.spop.Action;
import dev.sluice.spop.Message;
import dev.sluice.spop.Scope;
import dev.sluice.spop.SpopValue;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests through the sidecar with offload steps: the example IP reputation agent decides (deny or
 * score header), a slow agent times out under failure policy Allow, an unreachable one denies under
 * Deny, request bodies and response heads feed messages, and session variables outlive a request on
 * a keep-alive connection.
 */
class OffloadForwardingIT {
  static RecordingUpstream upstream;
  static RecordingUpstream h2cUpstream;
  static AgentServer iprep;
  static AgentServer slow;
  static AgentServer probe;
  static AgentServer sometimes;
  static RunningSidecar sidecar;
  static int port;

  /** The {@code slow} and {@code sometimes} agents' processing timeout, as configured below. */
  static final long TIMEOUT_MILLIS = 300;

  /**
   * How much later than its processing timeout an offload wait may end on a machine that kept time:
   * the promise itself (TEST.md: an outcome within the timeout + 100 ms), not a figure tuned to
   * this machine. It covers the sidecar's own work between a deadline falling due and the outcome
   * (its two event loops also serve the I/O of 64 connections) and the lateness probe's period, by
   * which it may see a stall short. Bounds add to it only the scheduling lateness {@link
   * SchedulingLateness} measured while the test ran.
   */
  static final long MARGIN_MILLIS = 100;

  /** When {@link #SOMETIMES_SLOW} answers: the fast paths well before the timeout, slow after. */
  static final long FAST_ANSWER_MILLIS = 5;

  static final long SLOW_ANSWER_MILLIS = 600;

  /** When the {@code slow} agent answers: long after its timeout. */
  static final long SLOWER_ANSWER_MILLIS = 1000;

  static final AgentHandler PROBE =
      notification -> {
        List<Action> actions = new ArrayList<>();
        for (Message m : notification.messages()) {
          switch (m.name()) {
            case "body" -> actions.add(Action.set(Scope.TXN, "body", m.arg("prefix")));
            case "response" -> {
              long status = m.arg("status").asLong();
              actions.add(
                  Action.set(
                      Scope.TXN,
                      "verdict",
                      SpopValue.of("status=" + status + " type=" + m.arg("ctype").asText())));
              if (m.arg("path").asText().contains("deny-response")) {
                actions.add(Action.set(Scope.TXN, "block_response", SpopValue.of(true)));
              }
            }
            case "visit" -> actions.add(Action.set(Scope.SESS, "seen", SpopValue.of("yes")));
            default -> {}
          }
        }
        return java.util.concurrent.CompletableFuture.completedFuture(actions);
      };

  /** Answers at once, except for paths containing "slow": those 600 ms late (both phases). */
  static final AgentHandler SOMETIMES_SLOW =
      notification -> {
        String path = notification.messages().get(0).arg("path").asText();
        return java.util.concurrent.CompletableFuture.supplyAsync(
            () -> List.of(Action.set(Scope.TXN, "seen", SpopValue.of(true))),
            java.util.concurrent.CompletableFuture.delayedExecutor(
                path.contains("slow") ? SLOW_ANSWER_MILLIS : FAST_ANSWER_MILLIS,
                java.util.concurrent.TimeUnit.MILLISECONDS));
      };

  @BeforeAll
  static void start() throws Exception {
    upstream = RecordingUpstream.http1();
    h2cUpstream = RecordingUpstream.h2c();
    iprep = agent(new IpReputation(List.of("127.0.0.2/32"), 0, 0));
    slow = agent(new IpReputation(List.of(), 0, SLOWER_ANSWER_MILLIS));
    probe = agent(PROBE);
    sometimes = agent(SOMETIMES_SLOW);
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String up = upstream.address();
    sidecar =
        new RunningSidecar(
            """
            version: 1
            admin: {address: 127.0.0.1:0}
            listeners: [{name: http, address: 127.0.0.1:0}]
            rules:
              - name: checked
                listener: http
                matches: [{path: {type: Prefix, value: /checked}}]
                upstream: {endpoints: [%1$s]}
                offload: [{agent: iprep}]
                actions:
                  - deny: {when: {variable: txn.iprep.blocked, operator: Equals, value: "true"}, status: 403, body: "blocked by reputation"}
                  - setRequestHeader: {name: X-IP-Score, fromVariable: txn.iprep.ip_score}
                  - setRequestHeader: {name: X-IP-Error, fromVariable: txn.iprep.error, removeWhenUnset: true}
                  - setResponseHeader: {name: X-Agent-Ms, fromVariable: txn.iprep.ptime}
              - name: checked-h2c
                listener: http
                matches: [{path: {type: Prefix, value: /h2c-checked}}]
                upstream: {protocol: h2c, endpoints: [%7$s]}
                offload: [{agent: iprep}]
                actions:
                  - setRequestHeader: {name: X-IP-Score, fromVariable: txn.iprep.ip_score}
                  - setRequestHeader: {name: X-IP-Error, fromVariable: txn.iprep.error, removeWhenUnset: true}
                  - setResponseHeader: {name: X-Agent-Ms, fromVariable: txn.iprep.ptime}
              - name: slow
                listener: http
                matches: [{path: {type: Prefix, value: /slow}}]
                upstream: {endpoints: [%1$s]}
                offload: [{agent: slow}]
                actions:
                  - setRequestHeader: {name: X-Slow-Error, fromVariable: txn.slow.error}
                  - setRequestHeader: {name: X-Slow-Ms, fromVariable: txn.slow.ptime}
                  - setRequestHeader: {name: X-IP-Score, fromVariable: txn.slow.ip_score}
              - name: strict
                listener: http
                matches: [{path: {type: Prefix, value: /strict}}]
                upstream: {endpoints: [%1$s]}
                offload: [{agent: strict}]
              - name: body
                listener: http
                matches: [{path: {type: Prefix, value: /body}}]
                upstream: {endpoints: [%1$s]}
                offload: [{agent: probe, messages: [body]}]
                actions:
                  - setRequestHeader: {name: X-Body-Prefix, fromVariable: txn.probe.body}
              - name: response
                listener: http
                matches: [{path: {type: Prefix, value: /response}}]
                upstream: {endpoints: [%1$s]}
                offload: [{agent: probe, messages: [response]}]
                actions:
                  - deny: {when: {variable: txn.probe.block_response, operator: Exists}, status: 451}
                  - setResponseHeader: {name: X-Verdict, fromVariable: txn.probe.verdict}
              - name: first
                listener: http
                matches: [{path: {type: Prefix, value: /first}}]
                upstream: {endpoints: [%1$s]}
                offload: [{agent: probe, messages: [visit]}]
              - name: concurrent
                listener: http
                matches: [{path: {type: Prefix, value: /concurrent}}]
                upstream: {endpoints: [%1$s]}
                offload: [{agent: sometimes}]
                actions:
                  - setRequestHeader: {name: X-Req-Ms, fromVariable: txn.sometimes.ptime}
                  - setRequestHeader: {name: X-Req-Error, fromVariable: txn.sometimes.error}
                  - setResponseHeader: {name: X-Res-Ms, fromVariable: txn.sometimes.ptime}
                  - setResponseHeader: {name: X-Res-Error, fromVariable: txn.sometimes.error}
              - name: second
                listener: http
                matches: [{path: {type: Prefix, value: /second}}]
                upstream: {endpoints: [%1$s]}
                actions:
                  - setRequestHeader: {name: X-Seen, fromVariable: sess.probe.seen}
            agents:
              - name: iprep
                endpoints: [127.0.0.1:%2$d]
                timeouts: {processing: 2s}
                messages: [{name: check-client-ip, args: [{name: ip, value: src}]}]
                variables: {prefix: iprep, onError: error, processTime: ptime}
              - name: slow
                endpoints: [127.0.0.1:%3$d]
                timeouts: {processing: %8$dms}
                messages: [{name: check-client-ip, args: [{name: ip, value: src}]}]
                variables: {onError: error, processTime: ptime}
                failurePolicy: Allow
              - name: strict
                endpoints: [127.0.0.1:%4$d]
                timeouts: {processing: 1s}
                messages: [{name: check-client-ip, args: [{name: ip, value: src}]}]
                failurePolicy: Deny
                denyStatus: 503
              - name: probe
                endpoints: [127.0.0.1:%5$d]
                timeouts: {processing: 2s}
                messages:
                  - {name: body, args: [{name: prefix, value: "req.body(16)"}]}
                  - name: response
                    event: Response
                    args:
                      - {name: status, value: res.status}
                      - {name: ctype, value: "res.hdr(content-type)"}
                      - {name: path, value: path}
                  - {name: visit, args: [{name: path, value: path}]}
              - name: sometimes
                endpoints: [127.0.0.1:%6$d]
                timeouts: {processing: %8$dms}
                messages:
                  - {name: req, args: [{name: path, value: path}]}
                  - {name: res, event: Response, args: [{name: path, value: path}, {name: status, value: res.status}]}
                variables: {onError: error, processTime: ptime}
            """
                .formatted(
                    up,
                    iprep.localAddress().getPort(),
                    slow.localAddress().getPort(),
                    closed,
                    probe.localAddress().getPort(),
                    sometimes.localAddress().getPort(),
                    h2cUpstream.address(),
                    TIMEOUT_MILLIS));
    port = sidecar.sidecar().listenerAddresses().get("http").getPort();
  }

  private static AgentServer agent(AgentHandler handler) {
    return AgentServer.builder(handler).listen(new InetSocketAddress("127.0.0.1", 0)).start();
  }

  @AfterAll
  static void stop() {
    sidecar.close();
    iprep.close();
    slow.close();
    probe.close();
    sometimes.close();
    upstream.close();
    h2cUpstream.close();
  }

  /** A one-request HTTP/1.1 exchange from {@code source}. */
  record Reply(int status, String head, String body) {
    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  private static Reply get(String source, String path, String id) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(source, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket.setSoTimeout(10_000);
      return exchange(socket, path, id, true);
    }
  }

  private static Reply exchange(Socket socket, String path, String id, boolean close)
      throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET "
                + path
                + " HTTP/1.1\r\nHost: test\r\nx-test-id: "
                + id
                + "\r\n"
                + (close ? "Connection: close\r\n" : "")
                + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    Http1Client.Response response = Http1Client.readResponse(socket.getInputStream());
    StringBuilder head = new StringBuilder();
    response.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    return new Reply(
        response.status(), head.toString(), new String(response.body(), StandardCharsets.UTF_8));
  }

  @Test
  void theAgentsScoreReachesTheUpstreamAndItsTimeTheClient() throws Exception {
    int expected = IpReputation.score(InetAddress.getByName("127.0.0.1"));
    Reply reply = get("127.0.0.1", "/checked/a", "checked-1");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("X-Agent-Ms")).matches("\\d+");
    ReceivedRequest seen = upstream.received("checked-1");
    assertThat(seen.header("x-ip-score")).isEqualTo(Integer.toString(expected));
    assertThat(seen.header("x-ip-error")).isNull();
  }

  /** A small POST on a fresh h2c connection, tagged {@code id} for the recording upstream. */
  private static Http2Client.Result postOverHttp2(String path, String id) throws Exception {
    try (Http2Client client = Http2Client.connect(port, false)) {
      return client.post(
          path,
          "hello".getBytes(StandardCharsets.US_ASCII),
          Http2Client.End.DATA,
          Arrival.ALL_AT_ONCE,
          Map.of("x-test-id", id));
    }
  }

  @Test
  void theAgentsHeadersReachAnHttp2UpstreamAndAnHttp2Client() throws Exception {
    Http2Client.Result result = postOverHttp2("/h2c-checked/a", "checked-h2c");
    assertThat(result.status()).isEqualTo(200);
    assertThat(result.headers().get("x-agent-ms")).matches("\\d+");
    ReceivedRequest seen = h2cUpstream.received("checked-h2c");
    assertThat(seen.headerLines("x-ip-score"))
        .as("set in the header block sent, its name in lower case")
        .containsExactly(Integer.toString(IpReputation.score(InetAddress.getByName("127.0.0.1"))));
    assertThat(seen.header("x-ip-error")).isNull();
  }

  @Test
  void aBlockedClientIsDeniedAndNeverForwarded() throws Exception {
    Reply reply = get("127.0.0.2", "/checked/b", "blocked-1");
    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.body()).contains("blocked by reputation");
    assertThat(upstream.received("blocked-1")).isNull();
  }

  @Test
  void overHttp2TheSameDecisionsHold() throws Exception {
    Http2Client.Result result = postOverHttp2("/checked/h2", "checked-h2");
    assertThat(result.status()).isEqualTo(200);
    assertThat(result.endStreams()).isEqualTo(1);
    assertThat(result.headers().get("x-agent-ms")).matches("\\d+");
    assertThat(upstream.received("checked-h2").header("x-ip-score"))
        .isEqualTo(Integer.toString(IpReputation.score(InetAddress.getByName("127.0.0.1"))));
  }

  @Test
  void aSlowAgentTimesOutAndTheRequestGoesOnWithTheErrorRecorded() throws Exception {
    Reply reply;
    long millis;
    long lateness;
    try (SchedulingLateness machine = SchedulingLateness.start()) {
      long started = System.nanoTime();
      reply = get("127.0.0.1", "/slow/x", "slow-1");
      millis = (System.nanoTime() - started) / 1_000_000;
      lateness = machine.worstMillis();
    }
    assertThat(reply.status()).isEqualTo(200);
    // 300 ms processing timeout; the agent answers after 1000 ms. The timer wins unless the
    // machine stalled for most of the 700 ms between them.
    ReceivedRequest seen = upstream.received("slow-1");
    if (lateness + MARGIN_MILLIS < SLOWER_ANSWER_MILLIS - TIMEOUT_MILLIS) {
      assertThat(seen.header("x-slow-error")).isEqualTo("1");
      assertThat(seen.header("x-ip-score")).isNull();
    }
    assertThat(Long.parseLong(seen.header("x-slow-ms")))
        .as("the sidecar's wait for the agent, ms (scheduling lateness seen: %d ms)", lateness)
        .isLessThanOrEqualTo(TIMEOUT_MILLIS + lateness + MARGIN_MILLIS);
    // The whole exchange also connects and goes to the upstream and back: 600 ms for that.
    assertThat(millis)
        .as("the client's whole exchange, ms (scheduling lateness seen: %d ms)", lateness)
        .isBetween(TIMEOUT_MILLIS - 10, TIMEOUT_MILLIS + lateness + 600);
  }

  @Test
  void anUnreachableAgentUnderDenyAnswers503AtOnce() throws Exception {
    Reply reply = get("127.0.0.1", "/strict/x", "strict-1");
    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.body())
        .contains("offload agent strict failed (error 257)")
        .contains("unreachable");
    assertThat(upstream.received("strict-1")).isNull();
  }

  @Test
  void theFirstBodyBytesFeedTheMessageAndTheWholeBodyStillArrives() throws Exception {
    byte[] body = new byte[200_000];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) ('a' + i % 26);
    }
    for (Http1Client.Framing framing : Http1Client.Framing.values()) {
      for (Arrival arrival : List.of(Arrival.ALL_AT_ONCE, Arrival.SMALL_WRITES)) {
        String id = "body-" + framing + "-" + arrival;
        Http1Client.Response response =
            Http1Client.post(
                "127.0.0.1", port, false, "/body", body, framing, arrival, "x-test-id: " + id);
        assertThat(response.status()).as(id).isEqualTo(200);
        ReceivedRequest seen = upstream.received(id);
        assertThat(seen.header("x-body-prefix")).as(id).isEqualTo("abcdefghijklmnop");
        assertThat(seen.sha256Hex()).as(id).isEqualTo(sha256(body));
      }
    }
    // a bodyless request sends NULL for the body sample: no header
    Reply reply = get("127.0.0.1", "/body/none", "body-none");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(upstream.received("body-none").header("x-body-prefix")).isNull();
  }

  @Test
  void theResponsePhaseSeesTheResponseHeadAndMayDenyIt() throws Exception {
    Reply passed = get("127.0.0.1", "/response/ok", "response-1");
    assertThat(passed.status()).isEqualTo(200);
    assertThat(passed.header("X-Verdict")).isEqualTo("status=200 type=");
    Reply denied = get("127.0.0.1", "/response/deny-response", "response-2");
    assertThat(denied.status()).isEqualTo(451);
    // the upstream did answer; its answer was replaced
    assertThat(upstream.received("response-2")).isNotNull();
    // and the sidecar still serves the next request
    assertThat(get("127.0.0.1", "/response/ok", "response-3").status()).isEqualTo(200);
  }

  @Test
  void sessionVariablesLiveAsLongAsTheConnection() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      assertThat(exchange(socket, "/second", "sess-0", false).status()).isEqualTo(200);
      assertThat(exchange(socket, "/first", "sess-1", false).status()).isEqualTo(200);
      assertThat(exchange(socket, "/second", "sess-2", false).status()).isEqualTo(200);
    }
    assertThat(upstream.received("sess-0").header("x-seen")).isNull();
    assertThat(upstream.received("sess-2").header("x-seen")).isEqualTo("yes");
    get("127.0.0.1", "/second", "sess-3");
    assertThat(upstream.received("sess-3").header("x-seen")).isNull();
  }

  @Test
  void sixtyFourConcurrentRequestsNeverWaitPastTheTimeoutInEitherPhase() throws Exception {
    java.util.concurrent.ExecutorService clients =
        java.util.concurrent.Executors.newFixedThreadPool(64);
    List<Reply> replies = new ArrayList<>();
    long lateness;
    try (SchedulingLateness machine = SchedulingLateness.start()) {
      List<java.util.concurrent.Future<Reply>> pending = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        String path = "/concurrent/" + (i % 3 == 0 ? "slow-" : "fast-") + i;
        String id = "concurrent-" + i;
        pending.add(clients.submit(() -> get("127.0.0.1", path, id)));
      }
      for (java.util.concurrent.Future<Reply> reply : pending) {
        replies.add(reply.get(10, java.util.concurrent.TimeUnit.SECONDS));
      }
      lateness = machine.worstMillis(); // over every request's whole life
    } finally {
      clients.shutdownNow();
    }
    long bound = TIMEOUT_MILLIS + lateness + MARGIN_MILLIS;
    // Which comes first, a fast answer or the timer (and a slow answer or the timer), is decided
    // by the clock only while the machine kept time to within the distance between them.
    boolean orderDecided =
        lateness + MARGIN_MILLIS
            < Math.min(TIMEOUT_MILLIS - FAST_ANSWER_MILLIS, SLOW_ANSWER_MILLIS - TIMEOUT_MILLIS);
    long worst = 0;
    for (int i = 0; i < 64; i++) {
      Reply reply = replies.get(i);
      boolean slowOne = i % 3 == 0;
      ReceivedRequest seen = upstream.received("concurrent-" + i);
      assertThat(reply.status()).as("request %d", i).isEqualTo(200);
      long requestPhase = Long.parseLong(seen.header("x-req-ms"));
      long responsePhase = Long.parseLong(reply.header("X-Res-Ms"));
      worst = Math.max(worst, Math.max(requestPhase, responsePhase));
      assertThat(requestPhase)
          .as("request %d, request phase ms (scheduling lateness seen: %d ms)", i, lateness)
          .isLessThanOrEqualTo(bound);
      assertThat(responsePhase)
          .as("request %d, response phase ms (scheduling lateness seen: %d ms)", i, lateness)
          .isLessThanOrEqualTo(bound);
      if (orderDecided) {
        assertThat(seen.header("x-req-error")).as("request %d", i).isEqualTo(slowOne ? "1" : null);
        assertThat(reply.header("X-Res-Error")).as("request %d", i).isEqualTo(slowOne ? "1" : null);
      }
    }
    org.slf4j.LoggerFactory.getLogger(OffloadForwardingIT.class)
        .info(
            "64 concurrent requests, both phases: longest offload wait {} ms (timeout {} ms,"
                + " bound {} ms: scheduling lateness seen {} ms + margin {} ms){}",
            worst,
            TIMEOUT_MILLIS,
            bound,
            lateness,
            MARGIN_MILLIS,
            orderDecided ? "" : "; the machine stalled too long to require which answer won");
  }

  private static String sha256(byte[] body) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
  }
}
