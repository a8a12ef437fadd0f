package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.agent.AgentServer;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.testing.PathRefusingAgent;
import dev.sluice.sidecar.testing.PythonWebSocketServer;
import dev.sluice.sidecar.testing.RunningSidecar;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Invariant: a WebSocket handshake through the sidecar reaches the server with its Upgrade, the 101
 * comes back, and the two connections become a tunnel that carries text and binary messages whole
 * (1 B to 1 MiB), ping/pong and close codes both ways, counted as a tunnel; a rule that allows no
 * upgrade serves the request as a plain one; a tunnel outlives a reload until the drain deadline.
 * Real peers: python3-websockets as the server, the JDK's WebSocket client.
 */
class WebSocketIT {
  static PythonWebSocketServer server;
  static AgentServer waf;
  static RunningSidecar sidecar;
  static final HttpClient CLIENT = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    server = new PythonWebSocketServer();
    waf = PathRefusingAgent.start();
    sidecar = new RunningSidecar(config(server.address(), "30s"));
  }

  @AfterAll
  static void stop() throws Exception {
    sidecar.close();
    server.close();
    waf.close();
  }

  private static String config(String upstream, String drain) {
    return """
        version: 1
        admin: {address: 127.0.0.1:0}
        drainTimeout: %s
        listeners:
          - {name: ws, address: 127.0.0.1:0}
          - {name: plain, address: 127.0.0.1:0}
          - {name: guarded, address: 127.0.0.1:0}
        rules:
          - name: ws
            listener: ws
            upstream: {protocol: http1, endpoints: [%s]}
          - name: plain
            listener: plain
            upgrades: []
            upstream: {protocol: http1, endpoints: [%s]}
          - name: guarded
            listener: guarded
            upstream: {protocol: http1, endpoints: [%s]}
            offload: [{agent: waf}]
            actions:
              - deny: {when: {variable: txn.waf.blocked, operator: Equals, value: "true"}, status: 403}
        agents:
          - name: waf
            endpoints: [127.0.0.1:%d]
            timeouts: {processing: 2s}
            messages: [{name: check, args: [{name: path, value: path}]}]
            variables: {prefix: waf}
        """
        .formatted(drain, upstream, upstream, upstream, waf.localAddress().getPort());
  }

  private static URI uri(RunningSidecar on, String listener) {
    return uri(on, listener, "/chat");
  }

  private static URI uri(RunningSidecar on, String listener, String path) {
    return URI.create(
        "ws://127.0.0.1:" + on.sidecar().listenerAddresses().get(listener).getPort() + path);
  }

  /** What a client socket received, in order: String, byte[], "pong", or a Closed. */
  static final class Received implements WebSocket.Listener {
    record Closed(int code, String reason) {}

    final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        messages.add(text.toString());
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] part = new byte[data.remaining()];
      data.get(part);
      binary.writeBytes(part);
      if (last) {
        messages.add(binary.toByteArray());
        binary.reset();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
      messages.add("pong:" + StandardCharsets.UTF_8.decode(message));
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
      messages.add(new Closed(code, reason));
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      messages.add(new Closed(-1, String.valueOf(error)));
    }

    Object next() throws InterruptedException {
      Object next = messages.poll(20, TimeUnit.SECONDS);
      assertThat(next).as("a message within 20 s").isNotNull();
      return next;
    }
  }

  private static WebSocket connect(URI uri, Received received) throws Exception {
    return CLIENT.newWebSocketBuilder().buildAsync(uri, received).get(20, TimeUnit.SECONDS);
  }

  @Test
  void textAndBinaryMessagesFromOneByteToOneMebibyteComeBackWhole() throws Exception {
    Received received = new Received();
    WebSocket ws = connect(uri(sidecar, "ws"), received);
    Random random = new Random(42);
    for (int size : new int[] {1, 125, 126, 65_535, 65_536, 1 << 20}) {
      StringBuilder text = new StringBuilder(size);
      for (int i = 0; i < size; i++) {
        text.append((char) ('a' + random.nextInt(26)));
      }
      ws.sendText(text, true).get(20, TimeUnit.SECONDS);
      assertThat(received.next()).as("text of %d", size).isEqualTo(text.toString());
      byte[] bytes = new byte[size];
      random.nextBytes(bytes);
      ws.sendBinary(ByteBuffer.wrap(bytes), true).get(20, TimeUnit.SECONDS);
      assertThat((byte[]) received.next()).as("binary of %d", size).isEqualTo(bytes);
    }
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(20, TimeUnit.SECONDS);
    assertThat(received.next()).isEqualTo(new Received.Closed(WebSocket.NORMAL_CLOSURE, "done"));
  }

  @Test
  void pingsAreAnsweredAndCloseCodesPassBothWays() throws Exception {
    Received received = new Received();
    WebSocket ws = connect(uri(sidecar, "ws"), received);
    ws.sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8)))
        .get(20, TimeUnit.SECONDS);
    assertThat(received.next()).isEqualTo("pong:are you there");
    ws.sendText("close-4000", true).get(20, TimeUnit.SECONDS);
    assertThat(received.next())
        .as("the server's close")
        .isEqualTo(new Received.Closed(4000, "asked to"));

    Received second = new Received();
    WebSocket other = connect(uri(sidecar, "ws"), second);
    other.sendClose(4001, "client leaves").get(20, TimeUnit.SECONDS);
    assertThat(second.next())
        .as("the server echoes the client's close code")
        .isEqualTo(new Received.Closed(4001, "client leaves"));
  }

  @Test
  void tunnelsAreCountedWhenTheyOpenAndEnd() throws Exception {
    Received received = new Received();
    WebSocket ws = connect(uri(sidecar, "ws"), received);
    ws.sendText("counted", true).get(20, TimeUnit.SECONDS);
    assertThat(received.next()).isEqualTo("counted");
    assertThat(metrics()).contains("sluice_tunnels_open{rule=\"ws\"}");
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(20, TimeUnit.SECONDS);
    assertThat(received.next()).isInstanceOf(Received.Closed.class);
    assertThat(metrics()).containsPattern("sluice_tunnels_opened_total\\{rule=\"ws\"\\} [1-9]");
    // The client has the close once the sidecar relayed it; the tunnel's end is counted after.
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(metrics())
                    .containsPattern(
                        "sluice_tunnels_ended_total\\{how=\"[a-z]+\",rule=\"ws\"\\} [1-9]"));
  }

  @Test
  void aRuleThatAllowsNoUpgradeServesThePlainRequest() {
    // The upgrade is not offered upstream, so the WebSocket server refuses the plain GET.
    assertThatThrownBy(() -> connect(uri(sidecar, "plain"), new Received()))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).isEqualTo(426));
  }

  @Test
  void theRequestPhaseOffloadDecidesOnTheUpgradeRequest() throws Exception {
    assertThatThrownBy(() -> connect(uri(sidecar, "guarded", "/refused"), new Received()))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).as("denied by the agent").isEqualTo(403));
    Received received = new Received();
    WebSocket ws = connect(uri(sidecar, "guarded", "/allowed"), received);
    ws.sendText("checked and through", true).get(20, TimeUnit.SECONDS);
    assertThat(received.next()).isEqualTo("checked and through");
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(20, TimeUnit.SECONDS);
  }

  @Test
  void aTunnelOutlivesAReloadAndEndsAtTheDrainDeadline() throws Exception {
    try (RunningSidecar own = new RunningSidecar(config(server.address(), "2s"))) {
      Received received = new Received();
      WebSocket ws = connect(uri(own, "ws"), received);
      ws.sendText("before", true).get(20, TimeUnit.SECONDS);
      assertThat(received.next()).isEqualTo("before");
      String next = config(server.address(), "2s").replace("name: plain\n", "name: plain2\n");
      own.sidecar()
          .reload(() -> SidecarConfigCodec.readYaml(next, "test"))
          .get(20, TimeUnit.SECONDS);
      ws.sendText("after the reload", true).get(20, TimeUnit.SECONDS);
      assertThat(received.next()).as("the tunnel lives on").isEqualTo("after the reload");
      // The replaced generation's drain (2 s) ends with its upstream pool: the tunnel closes.
      assertThat(received.next()).isInstanceOf(Received.Closed.class);
      // A new WebSocket goes through the new generation.
      Received fresh = new Received();
      WebSocket again = connect(uri(own, "ws"), fresh);
      again.sendText("new generation", true).get(20, TimeUnit.SECONDS);
      assertThat(fresh.next()).isEqualTo("new generation");
    }
  }

  private static String metrics() throws Exception {
    CompletableFuture<HttpResponse<String>> response =
        CLIENT.sendAsync(
            HttpRequest.newBuilder(URI.create(sidecar.adminUrl("/metrics"))).build(),
            HttpResponse.BodyHandlers.ofString());
    return response.get(20, TimeUnit.SECONDS).body();
  }
}
