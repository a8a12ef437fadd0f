package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.testing.Arrival;
import dev.sluice.sidecar.testing.Http1Client;
import dev.sluice.sidecar.testing.Http2Client;
import dev.sluice.sidecar.testing.ReceivedRequest;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import dev.sluice.sidecar.testing.TestTls;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariant (HAProxy #2665 never again): for every downstream framing (HTTP/1.1 content-length,
 * chunked, chunked with trailers, over TLS; h2c and h2 ending on DATA, on an empty DATA frame or on
 * trailers), every upstream protocol (http1, h2c, h2 over TLS), body sizes around every buffer,
 * frame and window size we use, zero-copy on and off, and every arrival timing, the upstream
 * receives exactly the bytes sent and exactly one END_STREAM with nothing after it, and the
 * downstream HTTP/2 response ends exactly once.
 */
class EndStreamConformanceIT {
  static final int[] SIZES = {
    0, 1, 1023, 1024, 1025, 8192, 16383, 16384, 16385, 65535, 65536, 65537, 262143, 262144, 262145,
    1 << 20
  };
  static final int[] TIMED_SIZES = {1, 16385, 65537};
  static final int LARGE = 16 << 20;

  /** The client side of a case. */
  enum Downstream {
    H1_CONTENT_LENGTH(false, false, Http1Client.Framing.CONTENT_LENGTH, null),
    H1_CHUNKED(false, false, Http1Client.Framing.CHUNKED, null),
    H1_CHUNKED_TRAILERS(false, false, Http1Client.Framing.CHUNKED_TRAILERS, null),
    H1_TLS(false, true, Http1Client.Framing.CONTENT_LENGTH, null),
    H2C_END_ON_DATA(true, false, null, Http2Client.End.DATA),
    H2C_END_ON_EMPTY_DATA(true, false, null, Http2Client.End.EMPTY_DATA),
    H2C_END_ON_TRAILERS(true, false, null, Http2Client.End.TRAILERS),
    H2_TLS(true, true, null, Http2Client.End.DATA);

    final boolean http2;
    final boolean tls;
    final Http1Client.Framing framing;
    final Http2Client.End end;

    Downstream(boolean http2, boolean tls, Http1Client.Framing framing, Http2Client.End end) {
      this.http2 = http2;
      this.tls = tls;
      this.framing = framing;
      this.end = end;
    }

    boolean sendsTrailers() {
      return framing == Http1Client.Framing.CHUNKED_TRAILERS || end == Http2Client.End.TRAILERS;
    }

    /** A bodyless request whose head already says so: must end on HEADERS upstream. */
    boolean bodylessAtHead(int size) {
      return size == 0
          && (framing == Http1Client.Framing.CONTENT_LENGTH || end == Http2Client.End.DATA);
    }
  }

  enum Upstream {
    HTTP1,
    /** A new connection per exchange: request chunks queue up while the sidecar connects. */
    HTTP1_NO_REUSE,
    H2C,
    H2_TLS
  }

  static final Map<Upstream, RecordingUpstream> upstreams = new HashMap<>();
  static final Map<String, RunningSidecar> sidecars = new HashMap<>();
  static final Map<Integer, Http2Client> h2Clients = new HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    upstreams.put(Upstream.HTTP1, RecordingUpstream.http1());
    upstreams.put(Upstream.HTTP1_NO_REUSE, RecordingUpstream.http1NoReuse());
    upstreams.put(Upstream.H2C, RecordingUpstream.h2c());
    upstreams.put(Upstream.H2_TLS, RecordingUpstream.h2Tls());
    for (Upstream upstream : Upstream.values()) {
      for (boolean zeroCopy : new boolean[] {true, false}) {
        sidecars.put(upstream + "/" + zeroCopy, sidecar(upstream, zeroCopy));
      }
    }
  }

  private static RunningSidecar sidecar(Upstream upstream, boolean zeroCopy) throws Exception {
    return sidecar(upstream, upstreams.get(upstream).address(), zeroCopy, "");
  }

  /**
   * A sidecar with listeners {@code http} and {@code https}, each with one rule to {@code address};
   * {@code rule}: more of the rules' fields, in YAML flow style, each after a comma.
   */
  static RunningSidecar sidecar(Upstream upstream, String address, boolean zeroCopy, String rule)
      throws Exception {
    String protocol =
        switch (upstream) {
          case HTTP1, HTTP1_NO_REUSE -> "http1";
          case H2C -> "h2c";
          case H2_TLS -> "h2";
        };
    String tls = upstream == Upstream.H2_TLS ? ", tls: {insecureSkipVerify: true}" : "";
    String fields =
        "zeroCopy: %s, upstream: {protocol: %s, endpoints: [%s]%s}%s"
            .formatted(zeroCopy, protocol, address, tls, rule);
    return new RunningSidecar(
        """
        version: 4
        admin: {address: 127.0.0.1:0}
        listeners:
          - {name: http, address: 127.0.0.1:0}
          - name: https
            address: 127.0.0.1:0
            protocol: HTTPS
            tls: {certificateFile: %s, privateKeyFile: %s}
        rules:
          - {name: plain, listener: http, %s}
          - {name: secure, listener: https, %s}
        """
            .formatted(TestTls.certificateFile(), TestTls.privateKeyFile(), fields, fields));
  }

  @AfterAll
  static void stop() {
    h2Clients.values().forEach(Http2Client::close);
    sidecars.values().forEach(RunningSidecar::close);
    upstreams.values().forEach(RecordingUpstream::close);
  }

  static Stream<Arguments> everySizeAllAtOnce() {
    List<Arguments> cases = new ArrayList<>();
    for (Downstream downstream : Downstream.values()) {
      for (Upstream upstream : Upstream.values()) {
        for (int size : SIZES) {
          for (boolean zeroCopy : new boolean[] {true, false}) {
            cases.add(Arguments.of(downstream, upstream, size, zeroCopy, Arrival.ALL_AT_ONCE));
          }
        }
      }
    }
    return cases.stream();
  }

  static Stream<Arguments> everyArrivalTiming() {
    List<Arguments> cases = new ArrayList<>();
    for (Arrival arrival : Arrival.values()) {
      for (Downstream downstream : Downstream.values()) {
        if (arrival == Arrival.ALL_AT_ONCE
            || (arrival == Arrival.EXPECT_CONTINUE && downstream.http2)) {
          continue;
        }
        for (Upstream upstream : Upstream.values()) {
          for (int size : TIMED_SIZES) {
            cases.add(Arguments.of(downstream, upstream, size, true, arrival));
          }
        }
      }
    }
    return cases.stream();
  }

  static Stream<Arguments> largeBodies() {
    List<Arguments> cases = new ArrayList<>();
    for (Downstream downstream :
        new Downstream[] {
          Downstream.H1_CONTENT_LENGTH,
          Downstream.H1_CHUNKED,
          Downstream.H2C_END_ON_DATA,
          Downstream.H2_TLS
        }) {
      for (Upstream upstream : Upstream.values()) {
        for (boolean zeroCopy : new boolean[] {true, false}) {
          cases.add(Arguments.of(downstream, upstream, LARGE, zeroCopy, Arrival.ALL_AT_ONCE));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} -> {1}, {2} bytes, zeroCopy {3}, {4}")
  @MethodSource({"everySizeAllAtOnce", "everyArrivalTiming", "largeBodies"})
  void requestArrivesWholeAndEveryStreamEndsExactlyOnce(
      Downstream downstream, Upstream upstream, int size, boolean zeroCopy, Arrival arrival)
      throws Exception {
    byte[] body = body(size);
    String id = UUID.randomUUID().toString();
    Reply reply =
        send(
            downstream,
            sidecars.get(upstream + "/" + zeroCopy),
            body,
            arrival,
            id,
            false,
            List.of());

    assertThat(reply.status).as("status; %s", reply.detail).isEqualTo(200);
    assertThat(reply.bodyLine).as("upstream's digest of what it received").isEqualTo(sha256(body));
    ReceivedRequest received = upstreams.get(upstream).received(id);
    assertThat(received.bytes()).isEqualTo(size);
    if (downstream.sendsTrailers()) {
      assertThat(received.header("trailer-x-trailer-check"))
          .as("request trailers forwarded")
          .isEqualTo("done");
    }
    if (upstream == Upstream.H2C || upstream == Upstream.H2_TLS) {
      assertThat(received.endStreams())
          .as("END_STREAM count; frames %s", received.frames())
          .isEqualTo(1);
      assertThat(received.framesAfterEnd()).as("frames after END_STREAM").isZero();
      String expectedEnd =
          downstream.bodylessAtHead(size)
              ? "HEADERS"
              : downstream.sendsTrailers() ? "TRAILERS" : null;
      if (expectedEnd != null) {
        assertThat(received.endedOn()).as("frames %s", received.frames()).isEqualTo(expectedEnd);
      } else {
        assertThat(received.endedOn())
            .as("frames %s", received.frames())
            .isIn("DATA", "EMPTY_DATA");
      }
    }
  }

  static Stream<Arguments> responseTrailers() {
    List<Arguments> cases = new ArrayList<>();
    for (Downstream downstream :
        new Downstream[] {
          Downstream.H1_CONTENT_LENGTH, Downstream.H2C_END_ON_DATA, Downstream.H2_TLS
        }) {
      for (Upstream upstream : Upstream.values()) {
        cases.add(Arguments.of(downstream, upstream));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} <- {1} trailers")
  @MethodSource("responseTrailers")
  void responseTrailersReachTheClientAndEndTheStream(Downstream downstream, Upstream upstream)
      throws Exception {
    byte[] body = body(3000);
    Reply reply =
        send(
            downstream,
            sidecars.get(upstream + "/true"),
            body,
            Arrival.ALL_AT_ONCE,
            UUID.randomUUID().toString(),
            true,
            List.of());
    assertThat(reply.status).as(reply.detail).isEqualTo(200);
    assertThat(reply.trailers).containsEntry("x-request-sha256", sha256(body));
    if (downstream.http2) {
      assertThat(reply.frames.get(reply.frames.size() - 1)).isEqualTo("TRAILERS+END_STREAM");
    }
  }

  record Reply(
      int status,
      String bodyLine,
      Map<String, String> headers,
      Map<String, String> trailers,
      List<String> frames,
      String detail) {}

  static Reply send(
      Downstream downstream,
      RunningSidecar sidecar,
      byte[] body,
      Arrival arrival,
      String id,
      boolean askTrailers,
      List<String> extraHeaders)
      throws Exception {
    int port =
        sidecar.sidecar().listenerAddresses().get(downstream.tls ? "https" : "http").getPort();
    List<String> headers = new ArrayList<>(List.of(RecordingUpstream.TEST_ID + ": " + id));
    if (askTrailers) {
      headers.add(RecordingUpstream.RESPOND_WITH_TRAILERS + ": 1");
    }
    headers.addAll(extraHeaders);
    if (!downstream.http2) {
      Http1Client.Response response =
          Http1Client.post(
              "127.0.0.1",
              port,
              downstream.tls,
              "/upload",
              body,
              downstream.framing,
              arrival,
              headers.toArray(String[]::new));
      return new Reply(
          response.status(),
          firstLine(response.body()),
          response.headers(),
          response.trailers(),
          List.of(),
          response.headers().toString());
    }
    Http2Client client;
    synchronized (h2Clients) {
      client = h2Clients.get(port);
      // A connection left idle past the listener's idleTimeout (60 s) while other cases ran was
      // closed with GOAWAY, as the sidecar should: a client then opens a new one.
      if (client == null || client.closed() || !client.goAways().isEmpty()) {
        if (client != null) {
          client.close();
        }
        client = Http2Client.connect(port, downstream.tls);
        h2Clients.put(port, client);
      }
    }
    Map<String, String> h2Headers = new HashMap<>();
    for (String header : headers) {
      String[] parts = header.split(": ", 2);
      h2Headers.put(parts[0], parts[1]);
    }
    Http2Client.Result result = client.post("/upload", body, downstream.end, arrival, h2Headers);
    assertThat(result.endStreams())
        .as("response END_STREAM count; frames %s", result.frames())
        .isEqualTo(1);
    assertThat(result.framesAfterEnd()).as("response frames after END_STREAM").isZero();
    assertThat(result.reset()).as("frames %s", result.frames()).isNull();
    return new Reply(
        result.status(),
        firstLine(result.body()),
        result.headers(),
        result.trailers(),
        result.frames(),
        result.frames().toString());
  }

  private static String firstLine(byte[] body) {
    String text = new String(body, StandardCharsets.US_ASCII);
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  private static final Map<Integer, byte[]> BODIES = new java.util.concurrent.ConcurrentHashMap<>();

  static byte[] body(int size) {
    return BODIES.computeIfAbsent(
        size,
        n -> {
          byte[] bytes = new byte[n];
          new Random(n).nextBytes(bytes);
          return bytes;
        });
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
