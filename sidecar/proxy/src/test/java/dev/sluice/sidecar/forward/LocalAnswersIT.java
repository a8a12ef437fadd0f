package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.testing.Arrival;
import dev.sluice.sidecar.testing.Curl;
import dev.sluice.sidecar.testing.Http1Client;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Invariant: requests the sidecar cannot or must not forward get a clear local answer (status and
 * one sentence), never a hang and never a forwarded ambiguity.
 */
class LocalAnswersIT {
  static RecordingUpstream upstream;
  static RunningSidecar sidecar;
  static RunningSidecar unreachable;

  @BeforeAll
  static void start() throws Exception {
    upstream = RecordingUpstream.http1();
    sidecar =
        new RunningSidecar(
            """
            version: 1
            admin: {address: 127.0.0.1:0}
            listeners: [{name: http, address: 127.0.0.1:0, maxHeaderBytes: 4096}]
            rules:
              - name: limited
                listener: http
                matches: [{path: {type: Prefix, value: /limited}}]
                upstream: {endpoints: [%s]}
                maxRequestBodyBytes: 1000
              - name: api
                listener: http
                matches: [{path: {type: Prefix, value: /api}, methods: [GET, POST]}]
                upstream: {endpoints: [%s]}
            """
                .formatted(upstream.address(), upstream.address()));
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      closedPort = probe.getLocalPort();
    }
    unreachable =
        RunningSidecar.singleRule(
            "http1", "127.0.0.1:" + closedPort, true, "timeouts: {connect: 1s}");
  }

  @AfterAll
  static void stop() {
    sidecar.close();
    unreachable.close();
    upstream.close();
  }

  @Test
  void noMatchingRouteIs404NamingHostPathAndMethod() throws Exception {
    Curl.Result result = Curl.get(sidecar.url("/elsewhere"));
    assertThat(result.status()).isEqualTo(404);
    assertThat(result.bodyText())
        .contains(
            "no rule of listener http matches host \"127.0.0.1\" path \"/elsewhere\" method GET");
  }

  @Test
  void unreachableUpstreamIs503() throws Exception {
    Curl.Result result = Curl.get(unreachable.url("/x"));
    assertThat(result.status()).isEqualTo(503);
    assertThat(result.bodyText()).contains("no connection to the upstream of rule r");
  }

  @Test
  void declaredBodyOverTheLimitIs413BeforeForwarding() throws Exception {
    Path body = Files.createTempFile("big", ".bin");
    Files.write(body, new byte[5000]);
    Curl.Result result = Curl.post(Curl.Mode.H1_CONTENT_LENGTH, sidecar.url("/limited"), body);
    assertThat(result.status()).isEqualTo(413);
    assertThat(result.bodyText())
        .contains("5000 bytes exceeds maxRequestBodyBytes 1000 of rule limited");
  }

  @Test
  void streamedBodyOverTheLimitIs413() throws Exception {
    Path body = Files.createTempFile("big", ".bin");
    Files.write(body, new byte[5000]);
    for (Curl.Mode mode : new Curl.Mode[] {Curl.Mode.H1_CHUNKED, Curl.Mode.H2C}) {
      Curl.Result result = Curl.post(mode, sidecar.url("/limited"), body);
      assertThat(result.status()).as("%s, curl said: %s", mode, result.stderr()).isEqualTo(413);
    }
  }

  @Test
  void an413WhileTheClientIsStillSendingReachesTheClient() throws Exception {
    // The sidecar answers, then keeps reading (and discarding) the rest before closing: closing
    // with unread input would reset the connection and lose the answer.
    int port = Integer.parseInt(sidecar.url("").replaceAll(".*:(\\d+)$", "$1"));
    for (Http1Client.Framing framing : Http1Client.Framing.values()) {
      Http1Client.Response response =
          Http1Client.post(
              "127.0.0.1",
              port,
              false,
              "/limited",
              new byte[4 << 20],
              framing,
              Arrival.SMALL_WRITES);
      assertThat(response.status()).as("%s", framing).isEqualTo(413);
      assertThat(response.headers()).containsEntry("connection", "close");
    }
  }

  @Test
  void contentLengthWithTransferEncodingIs400AndClosed() throws IOException {
    String answer =
        raw(
            "POST /api HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n");
    assertThat(answer)
        .startsWith("HTTP/1.1 400 ")
        .contains("connection: close")
        .contains("Content-Length are not allowed")
        .contains("Transfer-Encoding");
  }

  @Test
  void conflictingContentLengthsAre400() throws IOException {
    String answer =
        raw("POST /api HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello");
    assertThat(answer).startsWith("HTTP/1.1 400 ");
  }

  @Test
  void transferEncodingOtherThanChunkedIs400() throws IOException {
    String answer =
        raw("POST /api HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
    assertThat(answer).startsWith("HTTP/1.1 400 ").contains("expected: chunked only");
  }

  @Test
  void oversizedHeadersAre431() throws IOException {
    String answer = raw("GET /api HTTP/1.1\r\nHost: a\r\nX-Big: " + "a".repeat(8000) + "\r\n\r\n");
    assertThat(answer).startsWith("HTTP/1.1 431 ");
  }

  @Test
  void garbageIs400() throws IOException {
    assertThat(raw("HELLO WORLD\r\n\r\n")).startsWith("HTTP/1.1 400 ");
  }

  @Test
  void methodNotInTheRouteFallsThroughTo404() throws Exception {
    assertThat(Curl.get(sidecar.url("/api/x"), "-X", "DELETE").status()).isEqualTo(404);
    assertThat(Curl.get(sidecar.url("/api/x")).status()).isEqualTo(200);
  }

  /** Sends raw bytes and returns what came back before the sidecar closed the connection. */
  private static String raw(String request) throws IOException {
    int port = Integer.parseInt(sidecar.url("").replaceAll(".*:(\\d+)$", "$1"));
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }
}
