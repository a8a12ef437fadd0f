package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.agent.AgentServer;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.testing.Http2WebSocketClient;
import dev.sluice.sidecar.testing.PathRefusingAgent;
import dev.sluice.sidecar.testing.PythonWebSocketServer;
import dev.sluice.sidecar.testing.RunningSidecar;
import dev.sluice.sidecar.testing.ScriptedUpstream;
import dev.sluice.sidecar.testing.TestTls;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http2.Http2Headers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Invariant: an HTTP/2 client's WebSocket (RFC 8441 extended CONNECT) through the sidecar reaches a
 * WebSocket server over HTTP/1.1 (translated to the upgrade, the server's accept checked) or over
 * HTTP/2 (when its SETTINGS offer extended CONNECT), and the stream becomes a tunnel carrying text
 * and binary messages whole (1 B to 1 MiB), ping/pong and close codes, counted as a tunnel; a rule
 * that does not list the protocol, an agent's deny, an HTTP/2 upstream without the setting and a
 * wrong accept are refused with a status naming why; resets and closes pass both ways; a tunnel
 * outlives a reload until the drain deadline. Real peers: python3-websockets (HTTP/1.1) and a
 * python3-h2 server on the websockets protocol (HTTP/2); Netty's HTTP/2 and WebSocket codecs as the
 * client, over h2c and TLS. Malformed extended CONNECTs are in {@code MalformedInputIT}.
 */
class ExtendedConnectIT {
  static PythonWebSocketServer http1Server;
  static PythonWebSocketServer http2Server;
  static PythonWebSocketServer http2WithoutSetting;
  static ScriptedUpstream wrongAccept;
  static ScriptedUpstream watched;
  static final CompletableFuture<Void> watchedClosed = new CompletableFuture<>();
  static AgentServer waf;
  static RunningSidecar sidecar;

  /** Which client listener and which upstream a case runs over. */
  enum Path {
    H2C_TO_HTTP1(false, "h1"),
    TLS_TO_HTTP1(true, "h1"),
    H2C_TO_HTTP2(false, "h2"),
    TLS_TO_HTTP2(true, "h2");

    final boolean tls;
    final String upstream;

    Path(boolean tls, String upstream) {
      this.tls = tls;
      this.upstream = upstream;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    http1Server = new PythonWebSocketServer();
    http2Server = new PythonWebSocketServer("/websocket/h2_echo.py");
    http2WithoutSetting =
        new PythonWebSocketServer("/websocket/h2_echo.py", "--no-connect-protocol");
    wrongAccept =
        new ScriptedUpstream(
            (in, out) -> {
              ScriptedUpstream.readHead(in);
              ScriptedUpstream.write(
                  out,
                  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
              ScriptedUpstream.stallUntilClosed(in);
            });
    watched =
        new ScriptedUpstream(
            (in, out) -> {
              String head = ScriptedUpstream.readHead(in);
              Matcher key = Pattern.compile("(?i)sec-websocket-key: (\\S+)\r\n").matcher(head);
              if (!key.find()) {
                ScriptedUpstream.write(
                    out, "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
                return;
              }
              ScriptedUpstream.write(
                  out,
                  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      + "Sec-WebSocket-Accept: "
                      + ExtendedConnect.accept(key.group(1))
                      + "\r\n\r\n");
              if (head.startsWith("GET /watched/close")) {
                return; // the upstream leaves: the socket closes
              }
              ScriptedUpstream.stallUntilClosed(in);
              watchedClosed.complete(null);
            });
    waf = PathRefusingAgent.start();
    sidecar = new RunningSidecar(config("30s"));
  }

  @AfterAll
  static void stop() throws Exception {
    sidecar.close();
    http1Server.close();
    http2Server.close();
    http2WithoutSetting.close();
    wrongAccept.close();
    watched.close();
    waf.close();
  }

  private static String config(String drain) {
    StringBuilder rules = new StringBuilder();
    for (String listener : List.of("h2c", "tls")) {
      rules.append(
          """
            - name: h1-%1$s
              listener: %1$s
              matches: [{path: {type: Prefix, value: /h1}}]
              upstream: {protocol: http1, endpoints: [%2$s]}
            - name: h2-%1$s
              listener: %1$s
              matches: [{path: {type: Prefix, value: /h2}}]
              upstream: {protocol: h2c, endpoints: [%3$s]}
          """
              .formatted(listener, http1Server.address(), http2Server.address()));
    }
    return """
        version: 1
        admin: {address: 127.0.0.1:0}
        drainTimeout: %s
        listeners:
          - {name: h2c, address: 127.0.0.1:0}
          - {name: tls, address: 127.0.0.1:0, protocol: HTTPS, tls: {certificateFile: %s, privateKeyFile: %s}}
        rules:
        %s
          - name: without-setting
            listener: h2c
            matches: [{path: {type: Prefix, value: /nosetting}}]
            upstream: {protocol: h2c, endpoints: [%s]}
          - name: no-upgrades
            listener: h2c
            matches: [{path: {type: Prefix, value: /plain}}]
            upgrades: []
            upstream: {protocol: http1, endpoints: [%s]}
          - name: wrong-accept
            listener: h2c
            matches: [{path: {type: Prefix, value: /wrong}}]
            upstream: {protocol: http1, endpoints: [%s]}
          - name: watched
            listener: h2c
            matches: [{path: {type: Prefix, value: /watched}}]
            upstream: {protocol: http1, endpoints: [%s]}
          - name: guarded
            listener: h2c
            matches: [{path: {type: Prefix, value: /guarded}}]
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
        .formatted(
            drain,
            TestTls.certificateFile(),
            TestTls.privateKeyFile(),
            rules.toString().stripTrailing(),
            http2WithoutSetting.address(),
            http1Server.address(),
            wrongAccept.address(),
            watched.address(),
            http1Server.address(),
            waf.localAddress().getPort());
  }

  private static Http2WebSocketClient client(RunningSidecar on, boolean tls) throws Exception {
    String listener = tls ? "tls" : "h2c";
    return Http2WebSocketClient.connect(
        on.sidecar().listenerAddresses().get(listener).getPort(), tls);
  }

  private static Http2Headers connect(boolean tls, String path) {
    return Http2WebSocketClient.extendedConnect(tls ? "https" : "http", path, "websocket");
  }

  /** Opens a WebSocket on {@code path} and checks the sidecar's 200. */
  private static Http2WebSocketClient.Stream accepted(
      Http2WebSocketClient client, boolean tls, String path) throws Exception {
    Http2WebSocketClient.Stream stream = client.open(connect(tls, path));
    Http2Headers head = (Http2Headers) stream.next();
    assertThat(head.status()).as("the answer to %s: %s", path, head).hasToString("200");
    assertThat(head.contains("sec-websocket-accept")).as("no accept over HTTP/2").isFalse();
    return stream;
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void messagesFromOneByteToOneMebibytePingsAndCloseCodesPassThrough(Path path) throws Exception {
    try (Http2WebSocketClient client = client(sidecar, path.tls)) {
      assertThat(client.settings().connectProtocolEnabled())
          .as("SETTINGS_ENABLE_CONNECT_PROTOCOL")
          .isTrue();
      Http2WebSocketClient.Stream ws = accepted(client, path.tls, "/" + path.upstream + "/chat");
      Random random = new Random(42);
      for (int size : new int[] {1, 125, 126, 65_535, 65_536, 1 << 20}) {
        StringBuilder text = new StringBuilder(size);
        for (int i = 0; i < size; i++) {
          text.append((char) ('a' + random.nextInt(26)));
        }
        ws.send(new TextWebSocketFrame(text.toString()));
        assertThat(text(ws.next())).as("text of %d", size).isEqualTo(text.toString());
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        ws.send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
        assertThat(binary(ws.next())).as("binary of %d", size).isEqualTo(bytes);
      }
      ws.send(
          new PingWebSocketFrame(Unpooled.copiedBuffer("are you there", StandardCharsets.UTF_8)));
      assertThat(pong(ws.next())).isEqualTo("are you there");
      ws.send(new TextWebSocketFrame("close-4000"));
      assertThat(close(ws.next())).as("the server's close").isEqualTo("4000 asked to");
      ws.send(new CloseWebSocketFrame(4000, "asked to"));
      assertThat(ws.next()).as("the server's end ends the stream").isEqualTo("END_STREAM");
      endsAfterTheUpstream(path, ws);

      Http2WebSocketClient.Stream second = accepted(client, path.tls, "/" + path.upstream + "/b");
      second.send(new CloseWebSocketFrame(4001, "client leaves"));
      assertThat(close(second.next()))
          .as("the client's close echoed")
          .isEqualTo("4001 client leaves");
      assertThat(second.next()).isEqualTo("END_STREAM");
      endsAfterTheUpstream(path, second);
    }
    String rule = path.upstream + "-" + (path.tls ? "tls" : "h2c");
    String metrics = metrics(sidecar);
    assertThat(metrics)
        .containsPattern("sluice_tunnels_opened_total\\{rule=\"" + rule + "\"\\} [2-9]");
    assertThat(metrics)
        .containsPattern(
            "sluice_tunnels_ended_total\\{how=\"[a-z]+\",rule=\"" + rule + "\"\\} [1-9]");
  }

  /**
   * After the upstream's end: an HTTP/1.1 upstream closed its connection, so the client still
   * sending is asked to stop (RST_STREAM NO_ERROR); an HTTP/2 upstream only ended its direction,
   * and the client ends its own.
   */
  private static void endsAfterTheUpstream(Path path, Http2WebSocketClient.Stream ws)
      throws Exception {
    if (path.upstream.equals("h1")) {
      assertThat(ws.next()).as("the client is asked to stop sending").isEqualTo("RST 0");
    } else {
      ws.endStream();
    }
  }

  @Test
  void anHttp2UpstreamWhoseSettingsDoNotOfferExtendedConnectGets502() throws Exception {
    try (Http2WebSocketClient client = client(sidecar, false)) {
      Http2WebSocketClient.Stream stream = client.open(connect(false, "/nosetting/chat"));
      Http2Headers head = (Http2Headers) stream.next();
      assertThat(head.status()).hasToString("502");
      assertThat(body(stream)).contains("SETTINGS_ENABLE_CONNECT_PROTOCOL", "without-setting");
    }
    assertThat(http2WithoutSetting.events()).as("nothing reached it").isEmpty();
  }

  @Test
  void aRuleThatDoesNotListTheProtocolRefusesItNamingRuleAndToken() throws Exception {
    try (Http2WebSocketClient client = client(sidecar, false)) {
      Http2WebSocketClient.Stream stream = client.open(connect(false, "/plain/chat"));
      Http2Headers head = (Http2Headers) stream.next();
      assertThat(head.status()).hasToString("405");
      assertThat(body(stream)).contains("no-upgrades", "websocket", "upgrades");
    }
  }

  @Test
  void theRequestPhaseOffloadDecidesOnTheExtendedConnect() throws Exception {
    try (Http2WebSocketClient client = client(sidecar, false)) {
      Http2WebSocketClient.Stream refused = client.open(connect(false, "/guarded/refused"));
      assertThat(((Http2Headers) refused.next()).status()).as("denied").hasToString("403");
      Http2WebSocketClient.Stream ws = accepted(client, false, "/guarded/allowed");
      ws.send(new TextWebSocketFrame("checked and through"));
      assertThat(text(ws.next())).isEqualTo("checked and through");
      ws.reset();
    }
  }

  @Test
  void aWrongSecWebSocketAcceptIs502() throws Exception {
    try (Http2WebSocketClient client = client(sidecar, false)) {
      Http2WebSocketClient.Stream stream = client.open(connect(false, "/wrong/chat"));
      Http2Headers head = (Http2Headers) stream.next();
      assertThat(head.status()).hasToString("502");
      assertThat(body(stream))
          .contains("wrong-accept", "sec-websocket-accept \"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\"");
    }
  }

  @Test
  void aClientResetClosesTheUpstreamConnection() throws Exception {
    try (Http2WebSocketClient client = client(sidecar, false)) {
      Http2WebSocketClient.Stream ws = accepted(client, false, "/watched/reset");
      ws.reset();
      watchedClosed.get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void aClientResetResetsTheHttp2UpstreamStream() throws Exception {
    try (Http2WebSocketClient client = client(sidecar, false)) {
      Http2WebSocketClient.Stream ws = accepted(client, false, "/h2/reset");
      ws.send(new TextWebSocketFrame("hello"));
      assertThat(text(ws.next())).isEqualTo("hello");
      ws.reset();
      assertThat(nextEvent(http2Server, "reset")).startsWith("reset ");
    }
  }

  @Test
  void anUpstreamCloseEndsTheClientStream() throws Exception {
    try (Http2WebSocketClient client = client(sidecar, false)) {
      Http2WebSocketClient.Stream ws = accepted(client, false, "/watched/close");
      assertThat(ws.next()).as("the upstream's close is END_STREAM").isEqualTo("END_STREAM");
      assertThat(ws.next())
          .as("then the client, still sending, is asked to stop")
          .isEqualTo("RST 0");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Path.class,
      names = {"H2C_TO_HTTP1", "H2C_TO_HTTP2"})
  void aTunnelOutlivesAReloadAndEndsAtTheDrainDeadline(Path path) throws Exception {
    try (RunningSidecar own = new RunningSidecar(config("2s"));
        Http2WebSocketClient client = client(own, false)) {
      Http2WebSocketClient.Stream ws = accepted(client, false, "/" + path.upstream + "/reload");
      ws.send(new TextWebSocketFrame("before"));
      assertThat(text(ws.next())).isEqualTo("before");
      String next = config("2s").replace("name: guarded\n", "name: guarded2\n");
      own.sidecar()
          .reload(() -> SidecarConfigCodec.readYaml(next, "test"))
          .get(20, TimeUnit.SECONDS);
      ws.send(new TextWebSocketFrame("after the reload"));
      assertThat(text(ws.next())).as("the tunnel lives on").isEqualTo("after the reload");
      // The replaced generation's drain (2 s) ends with its upstream pool: the tunnel ends.
      assertThat(ws.next().toString()).matches("END_STREAM|RST \\d+");
      Http2WebSocketClient.Stream fresh = accepted(client, false, "/" + path.upstream + "/new");
      fresh.send(new TextWebSocketFrame("new generation"));
      assertThat(text(fresh.next())).isEqualTo("new generation");
      fresh.reset();
    }
  }

  private static String nextEvent(PythonWebSocketServer server, String prefix) throws Exception {
    List<String> skipped = new ArrayList<>();
    while (true) {
      String event = server.events().poll(20, TimeUnit.SECONDS);
      assertThat(event).as("a %s event (after %s)", prefix, skipped).isNotNull();
      if (event.startsWith(prefix)) {
        return event;
      }
      skipped.add(event);
    }
  }

  /** The plain body of a refusal, up to the stream's end or reset. */
  private static String body(Http2WebSocketClient.Stream stream) throws Exception {
    StringBuilder text = new StringBuilder();
    Object next;
    while ((next = stream.next()) instanceof String s && s.startsWith("BODY:")) {
      text.append(s.substring(5));
    }
    assertThat(next.toString()).as("the stream ends").matches("END_STREAM|RST \\d+");
    return text.toString();
  }

  private static String text(Object frame) {
    try {
      assertThat(frame).isInstanceOf(TextWebSocketFrame.class);
      return ((TextWebSocketFrame) frame).text();
    } finally {
      io.netty.util.ReferenceCountUtil.release(frame);
    }
  }

  private static byte[] binary(Object frame) {
    try {
      assertThat(frame).isInstanceOf(BinaryWebSocketFrame.class);
      return ByteBufUtil.getBytes(((WebSocketFrame) frame).content());
    } finally {
      io.netty.util.ReferenceCountUtil.release(frame);
    }
  }

  private static String pong(Object frame) {
    try {
      assertThat(frame).isInstanceOf(PongWebSocketFrame.class);
      return ((WebSocketFrame) frame).content().toString(StandardCharsets.UTF_8);
    } finally {
      io.netty.util.ReferenceCountUtil.release(frame);
    }
  }

  private static String close(Object frame) {
    try {
      assertThat(frame).isInstanceOf(CloseWebSocketFrame.class);
      CloseWebSocketFrame close = (CloseWebSocketFrame) frame;
      return close.statusCode() + " " + close.reasonText();
    } finally {
      io.netty.util.ReferenceCountUtil.release(frame);
    }
  }

  private static String metrics(RunningSidecar on) throws Exception {
    return HttpClient.newHttpClient()
        .sendAsync(
            HttpRequest.newBuilder(URI.create(on.adminUrl("/metrics"))).build(),
            HttpResponse.BodyHandlers.ofString())
        .get(20, TimeUnit.SECONDS)
        .body()
        .toLowerCase(Locale.ROOT);
  }
}
