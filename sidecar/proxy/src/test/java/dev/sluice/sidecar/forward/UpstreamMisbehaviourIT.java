package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sidecar.testing.Arrival;
import dev.sluice.sidecar.testing.Http1Client;
import dev.sluice.sidecar.testing.Http2Client;
import dev.sluice.sidecar.testing.RunningSidecar;
import dev.sluice.sidecar.testing.ScriptedUpstream;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariant: whatever the upstream does — never answer, stall mid-body, answer before the request
 * body ends, close mid-response, run out of connections — the downstream exchange finishes or is
 * reset within the configured timeouts; it never hangs.
 */
class UpstreamMisbehaviourIT {
  private static final byte[] BODY = new byte[200_000];

  private static RunningSidecar sidecar(ScriptedUpstream upstream, String extra) throws Exception {
    return RunningSidecar.singleRule("http1", upstream.address(), true, extra);
  }

  /** A plain HTTP/1.1 POST with Content-Length, all at once. */
  private static Http1Client.Response post(RunningSidecar sidecar, byte[] body)
      throws IOException, InterruptedException {
    return Http1Client.post(
        "127.0.0.1",
        port(sidecar),
        false,
        "/",
        body,
        Http1Client.Framing.CONTENT_LENGTH,
        Arrival.ALL_AT_ONCE);
  }

  private static int port(RunningSidecar sidecar) {
    return sidecar.sidecar().listenerAddresses().get("http").getPort();
  }

  @Test
  void anUpstreamThatNeverAnswersGets504AfterTheRequestTimeout() throws Exception {
    try (ScriptedUpstream upstream =
            new ScriptedUpstream(
                (in, out) -> {
                  ScriptedUpstream.readHead(in);
                  in.readNBytes(BODY.length);
                  ScriptedUpstream.stallUntilClosed(in);
                });
        RunningSidecar sidecar = sidecar(upstream, "timeouts: {request: 300ms}")) {
      long start = System.nanoTime();
      Http1Client.Response response = post(sidecar, BODY);
      assertThat(response.status()).isEqualTo(504);
      assertThat(new String(response.body())).contains("did not respond within 300ms");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void anUpstreamThatStallsMidResponseIsCutAtTheIdleTimeout() throws Exception {
    try (ScriptedUpstream upstream =
            new ScriptedUpstream(
                (in, out) -> {
                  ScriptedUpstream.readHead(in);
                  in.readNBytes(BODY.length);
                  ScriptedUpstream.write(
                      out, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial");
                  ScriptedUpstream.stallUntilClosed(in);
                });
        RunningSidecar sidecar = sidecar(upstream, "timeouts: {idle: 300ms}")) {
      assertThatThrownBy(() -> post(sidecar, BODY))
          .as("the downstream connection is closed, not left hanging")
          .isInstanceOf(IOException.class);
    }
  }

  /** Responses that end before they are complete: cut short, or unreadable mid-body. */
  static Stream<Arguments> brokenResponses() {
    return Stream.of(
        Arguments.of(
            "closed mid-response",
            "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial",
            false),
        Arguments.of(
            "a malformed chunk",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "7\r\npartial\r\nzz\r\nmore\r\n0\r\n\r\n",
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenResponses")
  void aResponseThatEndsBrokenResetsTheHttp2Stream(String name, String answer, boolean stayOpen)
      throws Exception {
    try (ScriptedUpstream upstream =
            new ScriptedUpstream(
                (in, out) -> {
                  ScriptedUpstream.readHead(in);
                  in.readNBytes(BODY.length);
                  ScriptedUpstream.write(out, answer);
                  if (stayOpen) {
                    ScriptedUpstream.stallUntilClosed(in);
                  }
                });
        RunningSidecar sidecar = sidecar(upstream, "");
        Http2Client client = Http2Client.connect(port(sidecar), false)) {
      Http2Client.Result result =
          client.post("/", BODY, Http2Client.End.DATA, Arrival.ALL_AT_ONCE, Map.of());
      assertThat(result.reset()).startsWith("RST_STREAM");
      assertThat(result.endStreams()).as("no clean END_STREAM on a broken response").isZero();
    }
  }

  @Test
  void aMalformedResponseHeadIs502() throws Exception {
    try (ScriptedUpstream upstream =
            new ScriptedUpstream(
                (in, out) -> {
                  ScriptedUpstream.readHead(in);
                  in.readNBytes(10);
                  ScriptedUpstream.write(out, "HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nok");
                  ScriptedUpstream.stallUntilClosed(in);
                });
        RunningSidecar sidecar = sidecar(upstream, "")) {
      Http1Client.Response response = post(sidecar, new byte[10]);
      assertThat(response.status()).isEqualTo(502);
      assertThat(new String(response.body())).contains("sent a malformed response");
    }
  }

  @Test
  void anUpstreamThatClosesBeforeAnsweringGets502() throws Exception {
    try (ScriptedUpstream upstream =
            new ScriptedUpstream((in, out) -> ScriptedUpstream.readHead(in));
        RunningSidecar sidecar = sidecar(upstream, "")) {
      Http1Client.Response response = post(sidecar, new byte[10]);
      assertThat(response.status()).isEqualTo(502);
      assertThat(new String(response.body())).contains("closed the exchange before responding");
    }
  }

  @Test
  void anEarlyAnswerBeforeTheRequestBodyEndsCompletesTheExchange() throws Exception {
    try (ScriptedUpstream upstream =
            new ScriptedUpstream(
                (in, out) -> {
                  ScriptedUpstream.readHead(in);
                  in.readNBytes(1000);
                  ScriptedUpstream.write(
                      out,
                      "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 4\r\n\r\nnope");
                  // Drain until the sidecar lets go: closing with unread bytes would make the
                  // kernel reset the connection and discard the answer in flight.
                  in.transferTo(java.io.OutputStream.nullOutputStream());
                });
        RunningSidecar sidecar = sidecar(upstream, "")) {
      for (Http1Client.Framing framing : Http1Client.Framing.values()) {
        Http1Client.Response response =
            Http1Client.post(
                "127.0.0.1", port(sidecar), false, "/", BODY, framing, Arrival.SMALL_WRITES);
        assertThat(response.status()).as("%s", framing).isEqualTo(413);
        assertThat(new String(response.body())).isEqualTo("nope");
      }
      try (Http2Client client = Http2Client.connect(port(sidecar), false)) {
        Http2Client.Result result =
            client.post("/", BODY, Http2Client.End.DATA, Arrival.SMALL_WRITES, Map.of());
        assertThat(result.status()).isEqualTo(413);
        assertThat(result.endStreams()).isEqualTo(1);
      }
    }
  }

  @Test
  void anUpstreamSayingConnectionCloseIsNeverSentAnotherRequest() throws Exception {
    // It announces close but lingers without reading: a reused connection would hang.
    try (ScriptedUpstream upstream =
            new ScriptedUpstream(
                (in, out) -> {
                  ScriptedUpstream.readHead(in);
                  ScriptedUpstream.write(
                      out, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
                  ScriptedUpstream.stallUntilClosed(in);
                });
        RunningSidecar sidecar = sidecar(upstream, "timeouts: {request: 5s}")) {
      for (int i = 0; i < 3; i++) {
        Http1Client.Response response = post(sidecar, new byte[0]);
        assertThat(response.status()).isEqualTo(200);
      }
      assertThat(upstream.connections()).isEqualTo(3);
    }
  }

  @Test
  void whenThePoolIsExhaustedTheWaiterGets503AtTheConnectTimeout() throws Exception {
    CompletableFuture<Void> release = new CompletableFuture<>();
    try (ScriptedUpstream upstream =
            new ScriptedUpstream(
                (in, out) -> {
                  ScriptedUpstream.readHead(in);
                  try {
                    release.get(10, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    return;
                  }
                  ScriptedUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                });
        RunningSidecar sidecar =
            new RunningSidecar(
                """
                version: 1
                admin: {address: 127.0.0.1:0}
                listeners: [{name: http, address: 127.0.0.1:0}]
                rules:
                  - name: r
                    listener: http
                    upstream: {endpoints: [%s], maxConnectionsPerEndpoint: 1}
                    timeouts: {connect: 300ms}
                """
                    .formatted(upstream.address()))) {
      // Both requests on one client connection's event loop would serialize; use two HTTP/2
      // streams on one connection so they share the event loop (and so the per-loop pool).
      try (Http2Client client = Http2Client.connect(port(sidecar), false)) {
        CompletableFuture<Http2Client.Result> first =
            CompletableFuture.supplyAsync(() -> post(client));
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> upstream.connections() == 1);
        Http2Client.Result second = post(client);
        assertThat(second.status()).isEqualTo(503);
        release.complete(null);
        assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
      }
    }
  }

  private static Http2Client.Result post(Http2Client client) {
    try {
      return client.post("/", new byte[0], Http2Client.End.DATA, Arrival.ALL_AT_ONCE, Map.of());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
