package dev.sluice.sidecar.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.agent.AgentHandler;
import dev.sluice.agent.AgentServer;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.runtime.Generation;
import dev.sluice.sidecar.testing.Http1Client;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import dev.sluice.spop.Action;
import dev.sluice.spop.Message;
import dev.sluice.spop.Scope;
import dev.sluice.spop.SpopValue;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invariant: a reload never fails or stalls a request. Requests finish on the generation they
 * started on; keep-alive connections carry on with the new one; a rejected config changes nothing;
 * offload requests in flight at the swap are answered when the agent answers within the processing
 * timeout and end at that timeout otherwise; the old generation's resources go once drained.
 */
class ReloadIT {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  private RecordingUpstream a;
  private RecordingUpstream b;
  private AgentServer agent;
  private RunningSidecar sidecar;
  private int port;

  /** Paths whose answer the agent is holding back (a delayed message under way). */
  static final java.util.Set<String> HOLDING = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Answers after the delays the path names: "/d/1000-0/..." is 1000 ms in the request phase and
   * none in the response phase.
   */
  static final AgentHandler DELAYED =
      notification -> {
        Message m = notification.messages().get(0);
        String path = m.arg("path").asText();
        String[] delays = path.split("/")[2].split("-");
        long delay = Long.parseLong(delays[m.name().equals("req") ? 0 : 1]);
        List<Action> actions = new ArrayList<>();
        actions.add(Action.set(Scope.TXN, "answer", SpopValue.of(m.name() + "-answered")));
        if (delay > 0) {
          HOLDING.add(path);
        }
        return CompletableFuture.supplyAsync(
            () -> {
              HOLDING.remove(path);
              return actions;
            },
            CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
      };

  @BeforeEach
  void start() throws Exception {
    a = RecordingUpstream.http1();
    b = RecordingUpstream.http1();
    agent =
        AgentServer.builder(DELAYED)
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .grace(Duration.ofMillis(100))
            .start();
    sidecar = new RunningSidecar(config(a, "one"));
    port = sidecar.sidecar().listenerAddresses().get("http").getPort();
  }

  @AfterEach
  void stop() {
    sidecar.close();
    agent.close();
    a.close();
    b.close();
  }

  /** Same listener; rules to {@code upstream}; {@code tag} makes revisions differ. */
  private String config(RecordingUpstream upstream, String tag) {
    return """
        version: 1
        revision: %s
        admin: {address: 127.0.0.1:0}
        drainTimeout: 10s
        listeners: [{name: http, address: 127.0.0.1:%d}]
        rules:
          - name: checked
            listener: http
            matches: [{path: {type: Prefix, value: /d}}]
            upstream: {endpoints: [%s]}
            offload: [{agent: delayed}]
            actions:
              - setRequestHeader: {name: X-Answer, fromVariable: txn.delayed.answer}
              - setRequestHeader: {name: X-Error, fromVariable: txn.delayed.error}
              - setResponseHeader: {name: X-Answer, fromVariable: txn.delayed.answer}
              - setResponseHeader: {name: X-Error, fromVariable: txn.delayed.error}
          - name: all
            listener: http
            upstream: {endpoints: [%s]}
        agents:
          - name: delayed
            endpoints: [127.0.0.1:%d]
            timeouts: {processing: 2s}
            messages:
              - {name: req, args: [{name: path, value: path}]}
              - {name: res, event: Response, args: [{name: path, value: path}]}
            variables: {onError: error}
        """
        .formatted(
            tag, port, upstream.address(), upstream.address(), agent.localAddress().getPort());
  }

  private record Admin(int status, String body) {}

  private Admin admin(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(sidecar.adminUrl(path))).timeout(Duration.ofSeconds(20));
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Admin(response.statusCode(), response.body());
  }

  private SidecarReport reload(String yaml) throws Exception {
    Admin response = admin("POST", "/reload", yaml);
    return SidecarConfigCodec.readReport(response.body());
  }

  private static Http1Client.Response get(Socket socket, String path, String id, boolean close)
      throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET "
                + path
                + " HTTP/1.1\r\nHost: t\r\nx-test-id: "
                + id
                + "\r\n"
                + (close ? "Connection: close\r\n" : "")
                + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return Http1Client.readResponse(socket.getInputStream());
  }

  private Http1Client.Response get(String path, String id) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      return get(socket, path, id, true);
    }
  }

  @Test
  void aRejectedConfigChangesNothingAndSaysWhy() throws Exception {
    String before = sidecar.sidecar().generation().revision();
    Admin response =
        admin("POST", "/reload", config(b, "two").replace(b.address(), "10.0.0.1:70000"));
    assertThat(response.status()).isEqualTo(422);
    SidecarReport report = SidecarConfigCodec.readReport(response.body());
    assertThat(report.outcome()).isEqualTo(SidecarReport.Outcome.Rejected);
    assertThat(report.reason())
        .isEqualTo(
            "rules[0].upstream.endpoints[0]: \"10.0.0.1:70000\" (expected: host:port with port"
                + " 1..65535)");
    Admin config = admin("GET", "/config", null);
    assertThat(config.body())
        .startsWith("{\"revision\":\"" + before + "\"")
        .contains("\"lastRejection\"")
        .contains("10.0.0.1:70000");
    assertThat(get("/plain", "after-rejection").status()).isEqualTo(200);
    assertThat(a.received("after-rejection")).isNotNull();
    // a body that is not a config at all
    Admin garbage = admin("POST", "/reload", "{not yaml");
    assertThat(garbage.status()).isEqualTo(422);
    assertThat(sidecar.sidecar().generation().revision()).isEqualTo(before);
  }

  @Test
  void aSourceThatFailsWithoutAMessageIsRejectedWithAReasonThatNamesTheFailure() throws Exception {
    String before = sidecar.sidecar().generation().revision();
    SidecarReport report =
        sidecar
            .sidecar()
            .reload(
                () -> {
                  throw new NullPointerException();
                })
            .get(10, TimeUnit.SECONDS);
    assertThat(report.outcome()).isEqualTo(SidecarReport.Outcome.Rejected);
    assertThat(report.reason())
        .isEqualTo("the config could not be read: NullPointerException (no message)");
    assertThat(report.problems()).containsExactly(report.reason());
    assertThat(sidecar.sidecar().lastRejection()).isEqualTo(report);
    assertThat(sidecar.sidecar().generation().revision()).isEqualTo(before);
  }

  @Test
  void keptAliveConnectionsCarryOnWithTheNewGeneration() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      assertThat(get(socket, "/x", "before", false).status()).isEqualTo(200);
      SidecarReport report = reload(config(b, "two"));
      assertThat(report.outcome()).isEqualTo(SidecarReport.Outcome.Applied);
      assertThat(report.revision()).isEqualTo("two");
      assertThat(get(socket, "/x", "after", false).status()).isEqualTo(200);
    }
    assertThat(a.received("before")).isNotNull();
    assertThat(b.received("after")).isNotNull();
    assertThat(a.received("after")).isNull();
    assertThat(sidecar.sidecar().listenerAddresses().get("http").getPort()).isEqualTo(port);
  }

  @Test
  void addedListenersOpenAndRemovedOnesCloseWhileTheOthersKeepTheirSocket() throws Exception {
    String withExtra =
        config(a, "extra")
            .replace(
                "listeners: [{name: http, address: 127.0.0.1:" + port + "}]",
                "listeners: [{name: http, address: 127.0.0.1:"
                    + port
                    + "}, {name: extra, address: 127.0.0.1:0}]")
            .replace(
                "  - name: all\n    listener: http",
                "  - name: extra\n    listener: extra\n"
                    + "    upstream: {endpoints: ["
                    + b.address()
                    + "]}\n  - name: all\n    listener: http");
    assertThat(reload(withExtra).outcome()).isEqualTo(SidecarReport.Outcome.Applied);
    int extra = sidecar.sidecar().listenerAddresses().get("extra").getPort();
    try (Socket socket = new Socket("127.0.0.1", extra)) {
      socket.setSoTimeout(10_000);
      assertThat(get(socket, "/e", "on-extra", true).status()).isEqualTo(200);
    }
    assertThat(b.received("on-extra")).isNotNull();
    assertThat(sidecar.sidecar().listenerAddresses().get("http").getPort()).isEqualTo(port);

    assertThat(reload(config(a, "without-extra")).outcome())
        .isEqualTo(SidecarReport.Outcome.Applied);
    assertThat(sidecar.sidecar().listenerAddresses()).containsOnlyKeys("http");
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new Socket("127.0.0.1", extra).close())
                    .isInstanceOf(java.net.ConnectException.class));
    assertThat(get("/still", "still-http").status()).isEqualTo(200);
  }

  /**
   * Starts GET {@code path} now, reloads while the agent holds its delayed answer, returns the
   * response and its duration.
   */
  private record Timed(Http1Client.Response response, long millis) {}

  private Timed requestAcrossAReload(String path, String id) throws Exception {
    Generation old = sidecar.sidecar().generation();
    CompletableFuture<Timed> request =
        CompletableFuture.supplyAsync(
            () -> {
              long started = System.nanoTime();
              try {
                return new Timed(get(path, id), (System.nanoTime() - started) / 1_000_000);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> old.inFlight().active() == 1);
    // The reload comes while the agent holds its answer back (the phase the path delays).
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> HOLDING.contains(path));
    SidecarReport report = reload(config(b, "two"));
    assertThat(report.outcome()).isEqualTo(SidecarReport.Outcome.Applied);
    Timed timed = request.get(30, TimeUnit.SECONDS);
    // the old generation lets go of everything once its request is done
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> sidecar.sidecar().lastReport().drain() != null);
    assertThat(old.inFlight().active()).isZero();
    assertThat(old.offloadInFlight()).isZero();
    Awaitility.await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> old.agent("delayed").connections() == 0);
    return timed;
  }

  @Test
  void anAnswerDueAfterTheReloadIsDeliveredAndActedOn() throws Exception {
    Timed timed = requestAcrossAReload("/d/1000-0/x", "answered");
    assertThat(timed.response().status()).isEqualTo(200);
    assertThat(a.received("answered").header("x-answer")).isEqualTo("req-answered");
    assertThat(a.received("answered").header("x-error")).isNull();
    assertThat(timed.millis()).isBetween(1000L, 1900L);
    SidecarReport.Drain drain = sidecar.sidecar().lastReport().drain();
    assertThat(drain.requestsInFlight()).isEqualTo(1);
    assertThat(drain.offloadInFlight()).isEqualTo(1);
    assertThat(drain.completed()).isEqualTo(1);
    assertThat(drain.deadlineExceeded()).isZero();
    assertThat(drain.drainMillis()).isLessThan(2000);
  }

  @Test
  void anAnswerThatWouldComeLateEndsAtTheProcessingTimeoutNotLater() throws Exception {
    Timed timed = requestAcrossAReload("/d/30000-0/x", "late");
    // failure policy Allow: forwarded without the answer, the timeout recorded
    assertThat(timed.response().status()).isEqualTo(200);
    assertThat(a.received("late").header("x-error")).isEqualTo("1");
    assertThat(a.received("late").header("x-answer")).isNull();
    // 2 s processing timeout (+ 100 ms), plus the upstream's few milliseconds
    assertThat(timed.millis()).isBetween(1990L, 2150L);
    SidecarReport.Drain drain = sidecar.sidecar().lastReport().drain();
    assertThat(drain.offloadInFlight()).isEqualTo(1);
    assertThat(drain.deadlineExceeded()).isEqualTo(1);
    assertThat(drain.completed()).isEqualTo(1);
  }

  @Test
  void aResponsePhaseAnswerDueAfterTheReloadIsDeliveredToo() throws Exception {
    // the request phase answers at once; at the reload the response phase (1 s) is under way
    Timed timed = requestAcrossAReload("/d/0-1000/response", "response");
    assertThat(timed.response().status()).isEqualTo(200);
    assertThat(timed.response().headers().get("x-answer")).isEqualTo("res-answered");
    assertThat(timed.millis()).isBetween(1000L, 1900L);
  }

  @Test
  void aLateResponsePhaseAnswerEndsAtTheProcessingTimeout() throws Exception {
    Timed timed = requestAcrossAReload("/d/0-30000/x", "late-response");
    assertThat(timed.response().status()).isEqualTo(200);
    assertThat(timed.response().headers().get("x-error")).isEqualTo("1");
    assertThat(timed.millis()).isBetween(1990L, 2150L);
  }

  @Test
  void burstsOfReloadsCoalesce() throws Exception {
    List<CompletableFuture<SidecarReport>> reports = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String yaml = config(i % 2 == 0 ? a : b, "burst-" + i);
      String source = "burst " + i;
      reports.add(sidecar.sidecar().reload(() -> SidecarConfigCodec.readYaml(yaml, source)));
    }
    for (CompletableFuture<SidecarReport> r : reports) {
      assertThat(r.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(SidecarReport.Outcome.Applied);
    }
    assertThat(sidecar.sidecar().generation().revision()).isEqualTo("burst-19");
    String metrics = admin("GET", "/metrics", null).body();
    double applied =
        metrics
            .lines()
            .filter(l -> l.startsWith("sluice_reloads_total{outcome=\"applied\"}"))
            .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
            .sum();
    assertThat(applied).isBetween(1.0, 5.0);
  }
}
