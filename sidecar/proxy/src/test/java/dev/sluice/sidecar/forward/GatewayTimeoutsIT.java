package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sidecar.accesslog.CapturedAccessLog;
import dev.sluice.sidecar.testing.PacedUpstream;
import dev.sluice.sidecar.testing.RawHttp2;
import dev.sluice.sidecar.testing.RunningSidecar;
import dev.sluice.sidecar.testing.SchedulingLateness;
import dev.sluice.sidecar.testing.ScriptedUpstream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Invariant: Gateway API's two timeouts hold over real sockets, for HTTP/1.1 and HTTP/2 clients and
 * HTTP/1.1 and h2c upstreams. The whole-exchange bound ({@code timeouts.exchange}, Gateway's {@code
 * request}) ends every exchange by its deadline: a 504 before the response started, a cut
 * (connection closed, stream reset) after, never a response that looks complete; tries never start
 * past it. Each try has its own backend-request bound, which sends it again under the retry policy.
 * A rule without them is not bound (Gateway's "0s", rendered as absent), and neither is a tunnel
 * after its 101. Deadlines are asserted against the machine's measured scheduling lateness, never a
 * wider fixed bound.
 */
class GatewayTimeoutsIT {
  static final long EXCHANGE_MILLIS = 700;
  static final long TRIES_EXCHANGE_MILLIS = 1500;
  static final long BACKEND_REQUEST_MILLIS = 300;

  /** Hand-offs between the sidecar's loop, the kernel and the test's threads. */
  static final long MARGIN_MILLIS = 300;

  /** RFC 9113's INTERNAL_ERROR: what the sidecar resets a stream it cuts with. */
  static final int INTERNAL_ERROR = 2;

  /** How long a client waits for an exchange's end before it fails the test. */
  static final long GIVE_UP_MILLIS = 10_000;

  static PacedUpstream http1;
  static PacedUpstream h2c;

  /** Accepts every upgrade with a 101, then echoes what comes until the sidecar closes. */
  static ScriptedUpstream echo;

  private final CapturedAccessLog log = new CapturedAccessLog();
  private RunningSidecar sidecar;
  private SchedulingLateness lateness;

  @BeforeAll
  static void upstreams() throws IOException {
    http1 = new PacedUpstream(false);
    h2c = new PacedUpstream(true);
    echo =
        new ScriptedUpstream(
            (in, out) -> {
              ScriptedUpstream.readHead(in);
              ScriptedUpstream.write(
                  out,
                  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      + "Connection: Upgrade\r\n"
                      // RFC 6455's example; without an accept Netty reads a Hixie-76 body
                      + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
              in.transferTo(out);
            });
  }

  @AfterAll
  static void stopUpstreams() throws IOException {
    http1.close();
    h2c.close();
    echo.close();
  }

  @BeforeEach
  void start() throws Exception {
    StringBuilder rules = new StringBuilder();
    for (String protocol : new String[] {"http1", "h2c"}) {
      String upstream =
          "{protocol: %s, endpoints: [%s]}"
              .formatted(protocol, (protocol.equals("h2c") ? h2c : http1).address());
      rules.append(
          """
            - name: whole-%1$s
              listener: http
              matches: [{path: {type: Prefix, value: /whole/%1$s/}}]
              upstream: %2$s
              timeouts: {exchange: %3$dms}
            - name: backend-%1$s
              listener: http
              matches: [{path: {type: Prefix, value: /backend/%1$s/}}]
              upstream: %2$s
              timeouts: {backendRequest: %5$dms}
              retry: {attempts: 0}
            - name: tries-%1$s
              listener: http
              matches: [{path: {type: Prefix, value: /tries/%1$s/}}]
              upstream: %2$s
              timeouts: {exchange: %4$dms, backendRequest: %5$dms}
              retry: {attempts: 10, backoff: 10ms, maxBackoff: 20ms, budget: {percent: 100}}
            - name: unbounded-%1$s
              listener: http
              matches: [{path: {type: Prefix, value: /unbounded/%1$s/}}]
              upstream: %2$s
          """
              .formatted(
                  protocol,
                  upstream,
                  EXCHANGE_MILLIS,
                  TRIES_EXCHANGE_MILLIS,
                  BACKEND_REQUEST_MILLIS));
    }
    rules.append(
        """
          - name: tunnel
            listener: http
            matches: [{path: {type: Prefix, value: /tunnel}}]
            upstream: {protocol: http1, endpoints: [%s]}
            timeouts: {exchange: %dms, backendRequest: %dms}
        """
            .formatted(echo.address(), EXCHANGE_MILLIS, BACKEND_REQUEST_MILLIS));
    sidecar =
        new RunningSidecar(
            """
            version: 4
            admin: {address: 127.0.0.1:0}
            listeners: [{name: http, address: 127.0.0.1:0}]
            rules:
            """
                + rules,
            log.output());
    lateness = SchedulingLateness.start();
  }

  @AfterEach
  void stop() {
    lateness.close();
    sidecar.close();
  }

  /** What a client saw of one exchange. */
  record Seen(String text, boolean cut, long millis) {}

  @ParameterizedTest(name = "{0} client, {1} upstream")
  @CsvSource({"h1, http1", "h1, h2c", "h2, http1", "h2, h2c"})
  void aResponseStillStreamingAtTheExchangeDeadlineIsCutNeverEndedCleanly(
      String client, String upstream) throws Exception {
    Seen seen = exchange(client, "/whole/" + upstream + "/slow-body");

    assertThat(seen.cut()).as("cut, not ended: %s", seen.text()).isTrue();
    assertThat(seen.text()).as("the response had started").contains("200");
    assertThat(seen.text())
        .as("some body went through before the cut")
        .contains("a".repeat(PacedUpstream.CHUNK_BYTES));
    withinDeadline(seen, EXCHANGE_MILLIS);
    JsonNode line = onlyLine();
    assertThat(line.get("termination").asText()).isEqualTo("UD");
    assertThat(line.get("cause").asText()).isEqualTo("timeout_exchange");
    assertThat(line.get("status").asInt()).isEqualTo(200);
  }

  @ParameterizedTest(name = "{0} client, {1} upstream")
  @CsvSource({"h1, http1", "h1, h2c", "h2, http1", "h2, h2c"})
  void noResponseHeadByTheExchangeDeadlineIsA504(String client, String upstream) throws Exception {
    Seen seen = exchange(client, "/whole/" + upstream + "/slow-head");

    assertThat(seen.cut()).as("answered: %s", seen.text()).isFalse();
    assertThat(seen.text())
        .contains("504")
        .contains("did not complete within its request timeout 700ms");
    withinDeadline(seen, EXCHANGE_MILLIS);
    JsonNode line = onlyLine();
    assertThat(line.get("termination").asText()).isEqualTo("UH");
    assertThat(line.get("cause").asText()).isEqualTo("timeout_exchange");
    assertThat(line.get("status").asInt()).isEqualTo(504);
  }

  @ParameterizedTest(name = "{0} client, {1} upstream")
  @CsvSource({"h1, http1", "h2, h2c"})
  void aTryStillStreamingAtItsBackendRequestDeadlineIsCut(String client, String upstream)
      throws Exception {
    Seen seen = exchange(client, "/backend/" + upstream + "/slow-body");

    assertThat(seen.cut()).as("cut, not ended: %s", seen.text()).isTrue();
    withinDeadline(seen, BACKEND_REQUEST_MILLIS);
    JsonNode line = onlyLine();
    assertThat(line.get("termination").asText()).isEqualTo("UD");
    assertThat(line.get("cause").asText()).isEqualTo("timeout_backend_request");
  }

  @ParameterizedTest(name = "{0} client, {1} upstream")
  @CsvSource({"h1, http1", "h2, h2c"})
  void aTryWithoutAHeadByItsBackendRequestDeadlineIsA504(String client, String upstream)
      throws Exception {
    String path = "/backend/" + upstream + "/slow-head?" + client;
    Seen seen = exchange(client, path);

    assertThat(seen.text())
        .contains("504")
        .contains("did not complete a response within its backendRequest timeout 300ms");
    withinDeadline(seen, BACKEND_REQUEST_MILLIS);
    assertThat(upstream(upstream).received(path)).as("attempts: 0, one try").isEqualTo(1);
    JsonNode line = onlyLine();
    assertThat(line.get("termination").asText()).isEqualTo("UH");
    assertThat(line.get("cause").asText()).isEqualTo("timeout_backend_request");
  }

  @ParameterizedTest(name = "{0} upstream")
  @ValueSource(strings = {"http1", "h2c"})
  void aTryOutOfItsBackendRequestTimeIsTriedAgain(String upstream) throws Exception {
    String path = "/tries/" + upstream + "/flaky?again";
    upstream(upstream).hangNext(1);
    Seen seen = exchange("h1", path);

    assertThat(seen.text()).startsWith("HTTP/1.1 200").endsWith("ok");
    assertThat(upstream(upstream).received(path)).as("tries at the backend").isEqualTo(2);
    assertThat(seen.millis()).as("the first try's whole bound").isGreaterThanOrEqualTo(300);
    JsonNode line = onlyLine();
    assertThat(line.get("termination").asText()).isEqualTo("--");
    assertThat(line.get("retries").asInt()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0} upstream")
  @ValueSource(strings = {"http1", "h2c"})
  void triesThatEachRunOutStopAtTheExchangeDeadline(String upstream) throws Exception {
    String path = "/tries/" + upstream + "/slow-head?all";
    Seen seen = exchange("h2", path);

    assertThat(seen.text()).contains("504").contains("request timeout 1500ms");
    withinDeadline(seen, TRIES_EXCHANGE_MILLIS);
    int tries = upstream(upstream).received(path);
    // Each try has 300 ms: a sixth would start at 1500 ms or later, past the deadline.
    assertThat(tries).as("tries at the backend").isBetween(2, 5);
    // No try after the exchange ended: the count holds for three tries' time.
    await()
        .during(Duration.ofMillis(3 * BACKEND_REQUEST_MILLIS))
        .atMost(Duration.ofMillis(3 * BACKEND_REQUEST_MILLIS + 1000))
        .until(() -> upstream(upstream).received(path) == tries);
    JsonNode line = onlyLine();
    assertThat(line.get("termination").asText()).isEqualTo("UH");
    assertThat(line.get("cause").asText()).isEqualTo("timeout_exchange");
    assertThat(line.get("retries").asInt()).isEqualTo(tries - 1);
  }

  @ParameterizedTest(name = "{0} client, {1} upstream")
  @CsvSource({"h1, http1", "h2, h2c"})
  void aRuleWithoutTheBoundsLetsALongResponseComplete(String client, String upstream)
      throws Exception {
    int chunks = 12; // 1.2 s of body: longer than the bounded rules' exchange timeout
    Seen seen = exchange(client, "/unbounded/" + upstream + "/paced-" + chunks);

    assertThat(seen.cut()).as("ended cleanly: %s", seen.text()).isFalse();
    assertThat(seen.millis()).isGreaterThan(EXCHANGE_MILLIS);
    assertThat(seen.text()).contains("l".repeat(PacedUpstream.CHUNK_BYTES));
    JsonNode line = onlyLine();
    assertThat(line.get("termination").asText()).isEqualTo("--");
    assertThat(line.get("bytes_out").asInt()).isEqualTo(chunks * PacedUpstream.CHUNK_BYTES);
  }

  @Test
  void aTunnelIsNotBoundByThem() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /tunnel HTTP/1.1\r\nHost: sluice.test\r\nConnection: Upgrade\r\n"
                  + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      assertThat(ScriptedUpstream.readHead(in)).startsWith("HTTP/1.1 101");
      // The tunnel outlives both bounds of its rule, with nothing moving.
      long idle = EXCHANGE_MILLIS + BACKEND_REQUEST_MILLIS + 300;
      TimeUnit.MILLISECONDS.sleep(idle); // deliberate stall: past both bounds
      out.write("still here".getBytes(StandardCharsets.US_ASCII));
      assertThat(new String(in.readNBytes(10), StandardCharsets.US_ASCII))
          .as("echoed through the open tunnel")
          .isEqualTo("still here");
    }
  }

  private static PacedUpstream upstream(String protocol) {
    return protocol.equals("h2c") ? h2c : http1;
  }

  private JsonNode onlyLine() throws IOException {
    return log.lines(1).get(0);
  }

  private void withinDeadline(Seen seen, long deadlineMillis) {
    long late = lateness.worstMillis();
    assertThat(seen.millis())
        .as(
            "ms to the end (the deadline %d ms; scheduling lateness seen %d ms)",
            deadlineMillis, late)
        .isGreaterThanOrEqualTo(deadlineMillis)
        .isLessThanOrEqualTo(deadlineMillis + MARGIN_MILLIS + late);
  }

  private Seen exchange(String client, String path) throws IOException {
    return client.equals("h2") ? http2(path) : http1(path);
  }

  private int port() {
    return sidecar.sidecar().listenerAddresses().get("http").getPort();
  }

  /**
   * A GET over HTTP/1.1, read to the connection's end: cut when the chunked body's last chunk never
   * came.
   */
  private Seen http1(String path) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port())) {
      socket.setSoTimeout(10_000);
      long started = System.nanoTime();
      socket
          .getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: sluice.test\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String text = readToEnd(socket.getInputStream(), started);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      String lower = text.toLowerCase(Locale.ROOT);
      boolean complete =
          lower.contains("transfer-encoding: chunked")
              ? text.endsWith("\r\n0\r\n\r\n")
              : completeByLength(text);
      return new Seen(decoded(text), !complete, millis);
    }
  }

  /**
   * Everything the connection carries until it ends, within {@link #GIVE_UP_MILLIS} of {@code
   * started}: a body that keeps coming past the bound fails the test rather than hanging it.
   */
  private static String readToEnd(InputStream in, long started) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    while (true) {
      if (System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(GIVE_UP_MILLIS)) {
        throw new AssertionError(
            "the connection was neither ended nor closed within " + GIVE_UP_MILLIS + " ms");
      }
      int read;
      try {
        read = in.read(buffer);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("nothing came and the connection stayed open", e);
      } catch (SocketException reset) {
        break; // closed with a reset: cut as well as a close is
      }
      if (read < 0) {
        break;
      }
      out.write(buffer, 0, read);
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  /** A response with {@code content-length} whose body is all there. */
  private static boolean completeByLength(String text) {
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    String head = text.substring(0, end).toLowerCase(Locale.ROOT);
    int at = head.indexOf("content-length: ");
    if (at < 0) {
      return false;
    }
    int length = Integer.parseInt(head.substring(at + 16).split("\r\n", 2)[0].trim());
    return text.length() - end - 4 == length;
  }

  /** The head, then the body with chunk framing removed (for what a client reads of it). */
  private static String decoded(String text) {
    int end = text.indexOf("\r\n\r\n");
    if (end < 0 || !text.toLowerCase(Locale.ROOT).contains("chunked")) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.substring(0, end + 4));
    String rest = text.substring(end + 4);
    while (true) {
      int line = rest.indexOf("\r\n");
      if (line < 0) {
        return out.toString();
      }
      int size = Integer.parseInt(rest.substring(0, line).trim(), 16);
      if (size == 0 || rest.length() < line + 2 + size) {
        return out.toString();
      }
      out.append(rest, line + 2, line + 2 + size);
      rest = rest.substring(Math.min(rest.length(), line + 4 + size));
    }
  }

  /**
   * A GET as an HTTP/2 stream, read to its end: cut when it was reset (or the connection closed)
   * instead of ending with END_STREAM.
   */
  private Seen http2(String path) throws IOException {
    try (RawHttp2 h2 = new RawHttp2(port())) {
      long started = System.nanoTime();
      h2.get(1, path);
      RawHttp2.StreamOutcome outcome = awaitStream(h2, started);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertThat(h2.timedOut()).as("nothing came and the connection stayed open").isFalse();
      String status = statusOf(outcome);
      boolean cut = !outcome.ended();
      if (cut) {
        assertThat(outcome.resetCode())
            .as("an HTTP/2 exchange is cut by RST_STREAM: %s", outcome.frames())
            .isEqualTo(INTERNAL_ERROR);
      }
      return new Seen(status + " " + outcome.body(), cut, millis);
    }
  }

  /**
   * Stream 1's frames until it ends (END_STREAM, RST_STREAM, GOAWAY or the connection's close),
   * within {@link #GIVE_UP_MILLIS} of {@code started}: a stream that keeps sending DATA past the
   * bound fails the test rather than hanging it.
   */
  private static RawHttp2.StreamOutcome awaitStream(RawHttp2 h2, long started) throws IOException {
    List<RawHttp2.Frame> frames = new ArrayList<>();
    while (true) {
      if (System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(GIVE_UP_MILLIS)) {
        throw new AssertionError(
            "the stream was neither ended nor reset within "
                + GIVE_UP_MILLIS
                + " ms ("
                + frames.size()
                + " frames)");
      }
      RawHttp2.Frame frame = h2.next();
      if (frame == null) {
        return new RawHttp2.StreamOutcome(frames, false, true);
      }
      if (frame.type() == RawHttp2.GOAWAY) {
        frames.add(frame);
        return new RawHttp2.StreamOutcome(frames, true, false);
      }
      if (frame.stream() == 1) {
        frames.add(frame);
        if (frame.endStream() || frame.type() == RawHttp2.RST_STREAM) {
          return new RawHttp2.StreamOutcome(frames, false, false);
        }
      }
    }
  }

  /** The status in the stream's first HEADERS frame (one stream: a fresh HPACK decoder). */
  private static String statusOf(RawHttp2.StreamOutcome outcome) throws IOException {
    for (RawHttp2.Frame frame : outcome.frames()) {
      if (frame.type() == RawHttp2.HEADERS) {
        try {
          Http2Headers head =
              new DefaultHttp2HeadersDecoder(true)
                  .decodeHeaders(1, Unpooled.wrappedBuffer(frame.payload()));
          return String.valueOf(head.status());
        } catch (Http2Exception e) {
          throw new IOException(e);
        }
      }
    }
    return "no head";
  }
}
