package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.testing.Arrival;
import dev.sluice.sidecar.testing.Curl;
import dev.sluice.sidecar.testing.Http1Client;
import dev.sluice.sidecar.testing.Http2Client;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Invariant: a rule that redirects is answered by the sidecar with Gateway API's Location (curl
 * over HTTP/1.1 and h2c follows it to the rule behind), nothing sent upstream; a request body on it
 * never becomes a request of its own (HTTP/1.1: the answer says Connection: close and the
 * connection closes after its rest; HTTP/2: the stream ends once, the connection serves on), a
 * bodyless one keeps its connection; and query parameter matches choose rules as curl's requests
 * say.
 */
class RuleFiltersIT {
  static RecordingUpstream upstream;
  static RunningSidecar sidecar;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    upstream = RecordingUpstream.http1();
    sidecar =
        new RunningSidecar(
            """
            version: 4
            admin: {address: 127.0.0.1:0}
            listeners: [{name: http, address: 127.0.0.1:0}]
            rules:
              - name: moved
                listener: http
                matches: [{path: {type: Prefix, value: /old}}]
                redirect: {path: {type: ReplacePrefixMatch, value: /new}, statusCode: 301}
              - name: secure
                listener: http
                matches: [{path: {type: Prefix, value: /login}}]
                redirect: {scheme: https, hostname: shop.example}
              - name: beta
                listener: http
                matches: [{queryParams: [{name: variant, value: "b c"}]}]
                upstream: {endpoints: [%1$s]}
                requestHeaders: {set: [{name: x-variant, value: beta}]}
              - name: new
                listener: http
                upstream: {endpoints: [%1$s]}
            """
                .formatted(upstream.address()));
    port = sidecar.sidecar().listenerAddresses().get("http").getPort();
  }

  @AfterAll
  static void stop() {
    sidecar.close();
    upstream.close();
  }

  /** Response headers curl received (the last response's, with {@code -L} the final one's). */
  private static Map<String, String> curlHeaders(Path dump) throws Exception {
    List<String> lines = Files.readAllLines(dump, StandardCharsets.ISO_8859_1);
    Map<String, String> headers = new java.util.HashMap<>();
    for (String line : lines) {
      if (line.startsWith("HTTP/")) {
        headers.clear();
      }
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("HTTP/")) {
        headers.put(
            line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
    }
    return headers;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--http1.1", "--http2-prior-knowledge"})
  void curlGetsTheLocationAndFollowsIt(String protocol) throws Exception {
    Path dump = Files.createTempFile("filters-curl", ".headers");
    try {
      Curl.Result moved =
          Curl.get(
              sidecar.url("/old/page?x=1&y=2"),
              protocol,
              "-H",
              "Host: shop.example:8080",
              "-D",
              dump.toString());
      assertThat(moved.status()).as(moved.stderr()).isEqualTo(301);
      assertThat(curlHeaders(dump))
          .containsEntry("location", "http://shop.example:8080/new/page?x=1&y=2")
          .containsEntry("x-sluice-local", "1");

      Curl.Result secure = Curl.get(sidecar.url("/login?next=/a"), protocol, "-D", dump.toString());
      assertThat(secure.status()).isEqualTo(302);
      assertThat(curlHeaders(dump)).containsEntry("location", "https://shop.example/login?next=/a");

      // curl 7.88 cannot reuse a prior-knowledge h2c connection (error 16 against nghttpd too):
      // over h2c the Location is followed by a second curl, over HTTP/1.1 with -L.
      boolean h2c = protocol.equals("--http2-prior-knowledge");
      Curl.Result followed =
          Curl.get(
              h2c ? sidecar.url("/new/page") : sidecar.url("/old/page"),
              protocol,
              h2c ? "-s" : "-L",
              "-H",
              RecordingUpstream.TEST_ID + ": followed" + protocol,
              "-D",
              dump.toString());
      assertThat(followed.status()).as(followed.stderr()).isEqualTo(200);
      assertThat(upstream.received("followed" + protocol).header(":path")).isEqualTo("/new/page");
    } finally {
      Files.deleteIfExists(dump);
    }
  }

  @Test
  void queryParametersChooseTheRuleAsCurlSendsThem() throws Exception {
    Curl.Result beta =
        Curl.get(
            sidecar.url("/x?variant=b%20c&variant=a"),
            "-H",
            RecordingUpstream.TEST_ID + ": q-beta");
    assertThat(beta.status()).isEqualTo(200);
    assertThat(upstream.received("q-beta").header("x-variant")).isEqualTo("beta");
    Curl.Result other =
        Curl.get(
            sidecar.url("/x?variant=a&variant=b+c"), "-H", RecordingUpstream.TEST_ID + ": q-other");
    assertThat(other.status()).isEqualTo(200);
    assertThat(upstream.received("q-other").header("x-variant")).as("first occurrence").isNull();
  }

  @Test
  void bodylessRedirectsKeepTheConnection() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(Curl.MAX_SECONDS * 1000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      for (int i = 0; i < 3; i++) {
        out.write(
            ("GET /old/" + i + " HTTP/1.1\r\nHost: shop.example\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Http1Client.Response response = Http1Client.readResponse(in);
        assertThat(response.status()).isEqualTo(301);
        assertThat(response.headers()).containsEntry("location", "http://shop.example/new/" + i);
        assertThat(response.headers()).doesNotContainKey("connection");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"content-length", "chunked", "expect-continue"})
  void aPostWithABodyIsRedirectedAndItsBodyNeverBecomesARequest(String framing) throws Exception {
    // The body is a request of its own if read as one: it must not be.
    String smuggled =
        "GET /new/smuggled HTTP/1.1\r\nHost: x\r\n"
            + RecordingUpstream.TEST_ID
            + ": smuggled-"
            + framing
            + "\r\n\r\n";
    byte[] body = (smuggled + "x".repeat(70_000)).getBytes(StandardCharsets.US_ASCII);
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(Curl.MAX_SECONDS * 1000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder("POST /old/form HTTP/1.1\r\nHost: shop.example\r\n");
      switch (framing) {
        case "chunked" -> head.append("Transfer-Encoding: chunked\r\n");
        case "expect-continue" ->
            head.append("Content-Length: ")
                .append(body.length)
                .append("\r\nExpect: 100-continue\r\n");
        default -> head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      if (framing.equals("expect-continue")) {
        Http1Client.Response response = Http1Client.readResponse(in);
        assertThat(response.status()).as("no 100 Continue: the answer at once").isEqualTo(301);
        assertThat(response.headers()).containsEntry("connection", "close");
      }
      if (framing.equals("chunked")) {
        out.write((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      } else {
        out.write(body);
      }
      out.flush();
      if (!framing.equals("expect-continue")) {
        Http1Client.Response response = Http1Client.readResponse(in);
        assertThat(response.status()).isEqualTo(301);
        assertThat(response.headers())
            .containsEntry("location", "http://shop.example/new/form")
            .containsEntry("connection", "close");
      }
      assertThat(in.readAllBytes()).as("nothing after the answer; then the close").isEmpty();
    }
    assertThat(upstream.received("smuggled-" + framing)).isNull();
  }

  @Test
  void anHttp2PostWithABodyIsRedirectedAndTheConnectionServesOn() throws Exception {
    Http2Client client = Http2Client.connect(port, false);
    try {
      byte[] body = new byte[100_000];
      Http2Client.Result redirected =
          client.post(
              "/old/upload",
              body,
              Http2Client.End.DATA,
              Arrival.ALL_AT_ONCE,
              Map.of(":authority", "shop.example:8080"));
      assertThat(redirected.status()).isEqualTo(301);
      assertThat(redirected.headers())
          .containsEntry("location", "http://shop.example:8080/new/upload");
      assertThat(redirected.endStreams()).as("frames %s", redirected.frames()).isEqualTo(1);
      assertThat(redirected.framesAfterEnd()).isZero();
      Http2Client.Result served =
          client.post(
              "/new/after",
              "hello".getBytes(StandardCharsets.US_ASCII),
              Http2Client.End.DATA,
              Arrival.ALL_AT_ONCE,
              Map.of(RecordingUpstream.TEST_ID, "h2-after"));
      assertThat(served.status()).isEqualTo(200);
      assertThat(upstream.received("h2-after").bytes()).isEqualTo(5);
    } finally {
      client.close();
    }
  }
}
