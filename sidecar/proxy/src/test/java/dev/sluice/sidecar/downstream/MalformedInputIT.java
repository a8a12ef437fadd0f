package dev.sluice.sidecar.downstream;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.sluice.sidecar.testing.Http1Client;
import dev.sluice.sidecar.testing.LogCapture;
import dev.sluice.sidecar.testing.MessageCheckingUpstream;
import dev.sluice.sidecar.testing.RawHttp2;
import dev.sluice.sidecar.testing.RunningSidecar;
import io.micrometer.core.instrument.Counter;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariant: what a client sends that the sidecar cannot read exactly is refused, on its own
 * connection (HTTP/1.1) or stream (HTTP/2), with a status and a sentence naming what is wrong; it
 * never reaches the upstream as a different, complete request, and one authority is routed on and
 * sent upstream. RFC 9112 sections 3.2 and 7.1, RFC 9113 section 8.3.
 */
class MalformedInputIT {
  static MessageCheckingUpstream upstream;
  static RunningSidecar sidecar;

  @BeforeAll
  static void start() throws Exception {
    upstream = new MessageCheckingUpstream();
    sidecar =
        new RunningSidecar(
            """
            version: 1
            admin: {address: 127.0.0.1:0}
            listeners: [{name: http, address: 127.0.0.1:0}]
            rules:
              - name: public
                listener: http
                matches: [{host: public.example}]
                upstream: {protocol: http1, endpoints: [%1$s]}
              - name: options
                listener: http
                matches: [{host: options.example, methods: [OPTIONS]}]
                upstream: {protocol: http1, endpoints: [%1$s]}
            """
                .formatted(upstream.address()));
  }

  @AfterAll
  static void stop() throws IOException {
    sidecar.close();
    upstream.close();
  }

  @BeforeEach
  void quiet() throws InterruptedException {
    assertThat(upstream.awaitNoRequestInProgress(Duration.ofSeconds(10))).isTrue();
  }

  private static int port() {
    return sidecar.sidecar().listenerAddresses().get("http").getPort();
  }

  private static Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Everything the sidecar sends until it closes the connection (bounded by the read timeout). */
  private static String readToClose(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    in.transferTo(all);
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  private static List<MessageCheckingUpstream.Arrived> arrivedSince(int before)
      throws InterruptedException {
    assertThat(upstream.awaitNoRequestInProgress(Duration.ofSeconds(10)))
        .as("no request half-way at the upstream")
        .isTrue();
    List<MessageCheckingUpstream.Arrived> all = upstream.arrived();
    return all.subList(before, all.size());
  }

  static Stream<Arguments> badChunks() {
    return Stream.of(
        Arguments.of("hex overflow", "fffffffffffffffff3\r\nabc\r\n0\r\n\r\n"),
        Arguments.of("negative size", "-1\r\nabc\r\n0\r\n\r\n"),
        Arguments.of("0x prefix", "0x3\r\nabc\r\n0\r\n\r\n"),
        Arguments.of("not hex", "zz\r\nabc\r\n0\r\n\r\n"),
        Arguments.of("64 KiB extension", "3;" + "e".repeat(65_536) + "\r\nabc\r\n0\r\n\r\n"),
        Arguments.of("data longer than its size", "3\r\nabcdef\r\n0\r\n\r\n"),
        Arguments.of("no CRLF after the data", "3\r\nabc0\r\n\r\n"),
        Arguments.of("bare LF after the data", "3\r\nabc\n0\r\n\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badChunks")
  void aMalformedChunkIs400AndCloseAndNeverACompleteRequestUpstream(String name, String chunks)
      throws Exception {
    int before = upstream.arrived().size();
    double refusedBefore = refusals("malformed_body");
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /upload HTTP/1.1\r\nHost: public.example\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + chunks
                  + "GET /next HTTP/1.1\r\nHost: public.example\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      socket.shutdownOutput(); // what is left unread is discarded until this FIN, then closed
      String answer = readToClose(socket.getInputStream());
      assertThat(answer).startsWith("HTTP/1.1 400 ").contains("connection: close");
      assertThat(answer).as("one answer, then the close").containsOnlyOnce("HTTP/1.1");
    }
    assertThat(arrivedSince(before))
        .as("what reached the upstream")
        .allSatisfy(arrived -> assertThat(arrived.complete()).isFalse());
    assertThat(refusals("malformed_body") - refusedBefore).isEqualTo(1);
  }

  @Test
  void aMalformedChunkAfterTheUpstreamGotTheHeadCutsTheUpstreamRequest() throws Exception {
    int before = upstream.arrived().size();
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /upload HTTP/1.1\r\nHost: public.example\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + "5\r\nhello\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      assertThat(upstream.awaitBodyBytes(Duration.ofSeconds(10)))
          .as("the first chunk reached the upstream")
          .isTrue();
      out.write("zz\r\nabc\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String answer = readToClose(socket.getInputStream());
      assertThat(answer)
          .startsWith("HTTP/1.1 400 ")
          .contains("malformed request body")
          .contains("expected: RFC 9112 chunked framing");
    }
    List<MessageCheckingUpstream.Arrived> arrived = arrivedSince(before);
    assertThat(arrived).hasSize(1);
    assertThat(arrived.get(0).body()).isEqualTo("hello");
    assertThat(arrived.get(0).complete()).as("the upstream saw a cut request").isFalse();
  }

  @Test
  void connectAndOptionsAsteriskAreRefusedUnlessARuleListsTheirMethod() throws Exception {
    int before = upstream.arrived().size();
    try (Socket socket = connect()) {
      socket
          .getOutputStream()
          .write(
              "CONNECT public.example:443 HTTP/1.1\r\nHost: public.example:443\r\n\r\n"
                  .getBytes(StandardCharsets.ISO_8859_1));
      Http1Client.Response response = Http1Client.readResponse(socket.getInputStream());
      assertThat(response.status()).isEqualTo(405);
      assertThat(new String(response.body(), StandardCharsets.UTF_8))
          .contains("CONNECT public.example:443 is not served on listener http")
          .contains("expected: a rule that lists CONNECT in matches[].methods");
    }
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(
          "OPTIONS * HTTP/1.1\r\nHost: public.example\r\n\r\n"
              .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      Http1Client.Response refused = Http1Client.readResponse(in);
      assertThat(refused.status()).isEqualTo(404);
      assertThat(new String(refused.body(), StandardCharsets.UTF_8))
          .contains("OPTIONS * is not served on listener http");
      out.write(
          "OPTIONS * HTTP/1.1\r\nHost: options.example\r\n\r\n"
              .getBytes(StandardCharsets.ISO_8859_1));
      assertThat(Http1Client.readResponse(in).status())
          .as("a rule listing OPTIONS takes OPTIONS *")
          .isEqualTo(200);
    }
    assertThat(arrivedSince(before))
        .extracting(MessageCheckingUpstream.Arrived::requestLine)
        .containsExactly("OPTIONS * HTTP/1.1");
  }

  @Test
  void aWellFormedChunkedRequestStillPasses() throws Exception {
    int before = upstream.arrived().size();
    try (Socket socket = connect()) {
      socket
          .getOutputStream()
          .write(
              ("POST /upload HTTP/1.1\r\nHost: public.example\r\nTransfer-Encoding: chunked\r\n\r\n"
                      + "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      Http1Client.Response response = Http1Client.readResponse(socket.getInputStream());
      assertThat(response.status()).isEqualTo(200);
    }
    List<MessageCheckingUpstream.Arrived> arrived = arrivedSince(before);
    assertThat(arrived).hasSize(1);
    assertThat(arrived.get(0).body()).isEqualTo("abcde");
    assertThat(arrived.get(0).complete()).isTrue();
  }

  static Stream<Arguments> ambiguousAuthorities() {
    return Stream.of(
        Arguments.of(
            "absolute-form and a conflicting Host",
            "GET http://public.example/x HTTP/1.1\r\nHost: internal.example\r\n\r\n",
            "differs from the authority \"public.example\""),
        Arguments.of(
            "two Host fields",
            "GET /x HTTP/1.1\r\nHost: public.example\r\nHost: internal.example\r\n\r\n",
            "2 Host fields"),
        Arguments.of(
            "two equal Host fields",
            "GET /x HTTP/1.1\r\nHost: public.example\r\nHost: public.example\r\n\r\n",
            "2 Host fields"),
        Arguments.of("no Host on HTTP/1.1", "GET /x HTTP/1.1\r\n\r\n", "no Host field"),
        Arguments.of(
            "a Host that is no authority",
            "GET /x HTTP/1.1\r\nHost: public.example/evil\r\n\r\n",
            "expected: host[:port]"),
        Arguments.of(
            "user information in the target",
            "GET http://user@public.example/x HTTP/1.1\r\nHost: public.example\r\n\r\n",
            "without user information"),
        Arguments.of(
            "a target neither origin- nor absolute-form",
            "GET h2/noslash HTTP/1.1\r\nHost: public.example\r\n\r\n",
            "expected: origin-form"),
        Arguments.of(
            "asterisk-form with GET",
            "GET * HTTP/1.1\r\nHost: public.example\r\n\r\n",
            "* only with OPTIONS"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ambiguousAuthorities")
  void anAmbiguousAuthorityIs400AndNothingIsForwarded(String name, String request, String says)
      throws Exception {
    int before = upstream.arrived().size();
    double refusedBefore = refusals("malformed_request");
    try (Socket socket = connect()) {
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      String answer = readToClose(socket.getInputStream());
      assertThat(answer).startsWith("HTTP/1.1 400 ").contains(says);
    }
    assertThat(arrivedSince(before)).as("nothing forwarded").isEmpty();
    assertThat(refusals("malformed_request") - refusedBefore).isEqualTo(1);
  }

  @Test
  void httpOneRefusalsAreCountedByReasonAndLoggedOncePerConnectionAtDebug() throws Exception {
    double tooLarge = refusals("header_list_too_large");
    double tooLong = refusals("request_line_too_long");
    int before = upstream.arrived().size();
    try (LogCapture logs = new LogCapture(ClientRefusals.class, Level.DEBUG)) {
      try (Socket socket = connect()) {
        socket
            .getOutputStream()
            .write(
                ("GET /x HTTP/1.1\r\nHost: public.example\r\nx-big: "
                        + "a".repeat(40_000)
                        + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
        assertThat(readToClose(socket.getInputStream())).startsWith("HTTP/1.1 431 ");
      }
      try (Socket socket = connect()) {
        socket
            .getOutputStream()
            .write(
                ("GET /" + "a".repeat(40_000) + " HTTP/1.1\r\nHost: public.example\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
        assertThat(readToClose(socket.getInputStream())).startsWith("HTTP/1.1 414 ");
      }
      assertThat(logs.lines(ClientRefusals.class, Level.DEBUG))
          .as("one line per connection, saying why")
          .hasSize(2)
          .anySatisfy(line -> assertThat(line).contains("header_list_too_large"))
          .anySatisfy(line -> assertThat(line).contains("request_line_too_long"));
      assertThat(logs.atOrAbove(Level.WARN)).as("a client's mistake is no warning").isEmpty();
    }
    assertThat(refusals("header_list_too_large") - tooLarge).isEqualTo(1);
    assertThat(refusals("request_line_too_long") - tooLong).isEqualTo(1);
    assertThat(arrivedSince(before)).as("nothing forwarded").isEmpty();
  }

  private static double refusals(String reason) {
    Counter counter =
        sidecar
            .sidecar()
            .metrics()
            .registry()
            .find("sluice_downstream_refusals")
            .tag("reason", reason)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void anAbsoluteFormTargetIsSentUpstreamInOriginFormWithItsOwnAuthority() throws Exception {
    int before = upstream.arrived().size();
    try (Socket socket = connect()) {
      socket
          .getOutputStream()
          .write(
              ("GET http://PUBLIC.example:80/x?q=1 HTTP/1.1\r\nHost: public.example\r\n\r\n"
                      + "GET http://public.example HTTP/1.1\r\nHost: public.example:80\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      assertThat(Http1Client.readResponse(in).status()).isEqualTo(200);
      assertThat(Http1Client.readResponse(in).status()).isEqualTo(200);
    }
    List<MessageCheckingUpstream.Arrived> arrived = arrivedSince(before);
    assertThat(arrived).hasSize(2);
    assertThat(arrived.get(0).requestLine()).isEqualTo("GET /x?q=1 HTTP/1.1");
    assertThat(arrived.get(0).host()).isEqualTo("PUBLIC.example:80");
    assertThat(arrived.get(1).requestLine()).isEqualTo("GET / HTTP/1.1");
    assertThat(arrived.get(1).host()).isEqualTo("public.example");
  }

  /** Heads and what the 400 before the reset says; null: Netty's HPACK decoder resets alone. */
  static Stream<Arguments> malformedHttp2Heads() {
    String[] good = {
      ":method", "GET", ":scheme", "http", ":path", "/", ":authority", "public.example"
    };
    return Stream.of(
        Arguments.of("no :method", drop(good, ":method"), "no :method"),
        Arguments.of("no :scheme", drop(good, ":scheme"), "no :scheme"),
        Arguments.of("no :path", drop(good, ":path"), "no :path"),
        Arguments.of("an empty :path", with(drop(good, ":path"), ":path", ""), null),
        Arguments.of(
            "a :path without its slash",
            with(drop(good, ":path"), ":path", "h2/noslash"),
            "expected: starting with /"),
        Arguments.of("* with GET", with(drop(good, ":path"), ":path", "*"), "* for OPTIONS"),
        Arguments.of(
            "two :path fields",
            new String[] {
              ":method", "GET", ":scheme", "http", ":path", "/", ":path", "/b", ":authority", "a"
            },
            null),
        Arguments.of(":status in a request", with(good, ":status", "200"), null),
        Arguments.of(
            ":protocol on a GET",
            with(good, ":protocol", "websocket"),
            ":protocol on a GET request (expected: only on an extended CONNECT"),
        Arguments.of(
            "extended CONNECT without :path",
            new String[] {
              ":method",
              "CONNECT",
              ":protocol",
              "websocket",
              ":scheme",
              "http",
              ":authority",
              "public.example"
            },
            "no :path"),
        Arguments.of(
            "extended CONNECT without :scheme",
            new String[] {
              ":method",
              "CONNECT",
              ":protocol",
              "websocket",
              ":path",
              "/chat",
              ":authority",
              "public.example"
            },
            "no :scheme"),
        Arguments.of(
            "extended CONNECT without :authority",
            new String[] {
              ":method", "CONNECT", ":protocol", "websocket", ":scheme", "http", ":path", "/chat"
            },
            "without :authority"),
        Arguments.of(
            "an empty :protocol",
            new String[] {
              ":method",
              "CONNECT",
              ":protocol",
              "",
              ":scheme",
              "http",
              ":path",
              "/chat",
              ":authority",
              "public.example"
            },
            null),
        Arguments.of(
            "CONNECT with a :path",
            new String[] {":method", "CONNECT", ":authority", "public.example:443", ":path", "/"},
            "CONNECT with :scheme or :path"),
        Arguments.of(
            "CONNECT without :authority",
            new String[] {":method", "CONNECT"},
            "without :authority"),
        Arguments.of(
            ":authority and host differ",
            with(good, "host", "internal.example"),
            "differ (expected: the same authority"),
        Arguments.of(
            "user information in :authority",
            with(drop(good, ":authority"), ":authority", "u@public.example"),
            "without user information"),
        Arguments.of(
            "a method that is no token",
            with(drop(good, ":method"), ":method", "G T"),
            "expected: a method token"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedHttp2Heads")
  void aMalformedHttp2RequestIsAStreamErrorOnItsStreamOnly(
      String name, String[] fields, String says) throws Exception {
    int before = upstream.arrived().size();
    try (RawHttp2 client = new RawHttp2(port())) {
      // A well-formed upload, still open while the malformed stream arrives.
      client.headers(
          1,
          false,
          ":method",
          "POST",
          ":scheme",
          "http",
          ":path",
          "/open",
          ":authority",
          "public.example",
          "content-length",
          "5");
      client.headers(3, true, fields);
      RawHttp2.StreamOutcome malformed = client.await(3);
      assertThat(malformed.goAway()).as("no connection error").isFalse();
      assertThat(malformed.resetCode()).as("RST_STREAM code").isEqualTo(RawHttp2.PROTOCOL_ERROR);
      if (says != null) {
        assertThat(malformed.body()).startsWith("400 Bad Request: ").contains(says);
      } // else refused by the HPACK decoder's own checks: the reset alone

      client.data(1, true, "hello".getBytes(StandardCharsets.US_ASCII));
      RawHttp2.StreamOutcome open = client.await(1);
      assertThat(open.ended()).as("the other stream's response ended: %s", open.frames()).isTrue();
      assertThat(open.body()).isEqualTo("complete");
      client.get(5, "public.example", "/after");
      assertThat(client.await(5).body()).as("the connection serves on").isEqualTo("complete");
    }
    List<MessageCheckingUpstream.Arrived> arrived = arrivedSince(before);
    assertThat(arrived)
        .extracting(MessageCheckingUpstream.Arrived::requestLine)
        .containsExactlyInAnyOrder("POST /open HTTP/1.1", "GET /after HTTP/1.1");
  }

  @Test
  void aMalformedRequestFacingAShutWindowGetsItsHeadAndResetAndNothingAfter() throws Exception {
    // Every stream's send window starts shut: the 400's body cannot go whole at once. Queued, it
    // could follow the reset onto the closed stream; it is not sent, nor promised by the head.
    try (RawHttp2 client = RawHttp2.withInitialWindow(port(), 0)) {
      client.headers(1, true, ":method", "GET", ":path", "/x", ":authority", "public.example");
      RawHttp2.StreamOutcome malformed = client.await(1);
      assertThat(malformed.frames())
          .extracting(RawHttp2.Frame::type)
          .containsExactly(RawHttp2.HEADERS, RawHttp2.RST_STREAM);
      assertThat(malformed.resetCode()).isEqualTo(RawHttp2.PROTOCOL_ERROR);
      Http2Headers head =
          new DefaultHttp2HeadersDecoder(true)
              .decodeHeaders(1, Unpooled.wrappedBuffer(malformed.frames().get(0).payload()));
      assertThat(head.status()).hasToString("400");
      assertThat(head.contains(HttpHeaderNames.CONTENT_LENGTH)).as("no body promised").isFalse();

      client.windowUpdate(1, 65_535); // the client opens its window anyway: nothing comes of it
      client.get(3, "public.example", "/after");
      client.windowUpdate(3, 65_535);
      assertThat(client.await(3).body()).as("the connection serves on").isEqualTo("complete");
      assertThat(client.unclaimed(1)).as("frames on the reset stream").isEmpty();
    }
  }

  @Test
  void trailersWithAPseudoHeaderFieldAndASecondHeadAreStreamErrors() throws Exception {
    try (RawHttp2 client = new RawHttp2(port())) {
      String[] head = {
        ":method", "POST", ":scheme", "http", ":path", "/t", ":authority", "public.example"
      };
      client.headers(1, false, head);
      client.headers(1, true, ":path", "/other");
      assertThat(client.await(1).resetCode()).isEqualTo(RawHttp2.PROTOCOL_ERROR);
      client.headers(3, false, head);
      client.headers(3, false, "x-second", "head"); // HEADERS again without END_STREAM (8.1)
      assertThat(client.await(3).resetCode()).isEqualTo(RawHttp2.PROTOCOL_ERROR);
    }
  }

  private static String[] drop(String[] fields, String name) {
    return Stream.iterate(0, i -> i < fields.length, i -> i + 2)
        .filter(i -> !fields[i].equals(name))
        .flatMap(i -> Stream.of(fields[i], fields[i + 1]))
        .toArray(String[]::new);
  }

  private static String[] with(String[] fields, String name, String value) {
    String[] more = java.util.Arrays.copyOf(fields, fields.length + 2);
    more[fields.length] = name;
    more[fields.length + 1] = value;
    return more;
  }
}
