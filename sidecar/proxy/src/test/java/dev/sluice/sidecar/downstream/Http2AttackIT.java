package dev.sluice.sidecar.downstream;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.sluice.sidecar.testing.LogCapture;
import dev.sluice.sidecar.testing.MessageCheckingUpstream;
import dev.sluice.sidecar.testing.RawHttp2;
import dev.sluice.sidecar.testing.RawHttp2.Frame;
import dev.sluice.sidecar.testing.RunningSidecar;
import io.micrometer.core.instrument.Counter;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Invariant: an HTTP/2 client can neither make the sidecar work without bound nor make it close a
 * connection another, legitimate client's streams live on; whatever the sidecar refuses it answers
 * with the frame and code RFC 9113 gives, counts by reason and logs at most once per connection,
 * and a normal client is served throughout (issue 22, items 5, 8, 10 and the h2spec 5.1 cases).
 */
class Http2AttackIT {
  private static final String[] GET = {
    ":method", "GET", ":scheme", "http", ":path", "/get", ":authority", "public.example"
  };

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
            listeners:
              - {name: http, address: 127.0.0.1:0}
              - {name: narrow, address: 127.0.0.1:0, http2: {maxConcurrentStreams: 10}}
              # The control-frame flooder never reads: its connection would be closed at the
              # stalled-write timeout, which is not what that test is about.
              - name: flood
                address: 127.0.0.1:0
                limits: {stalledWriteTimeout: 10m, idleTimeout: 10m}
            rules:
              - name: public
                listener: http
                matches: [{host: public.example}]
                upstream: {protocol: http1, endpoints: [%1$s]}
              - name: narrow
                listener: narrow
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

  // Item 5: concurrent streams.

  @Test
  void aListenerWithoutHttp2LimitsAdvertises100ConcurrentStreams() throws IOException {
    try (RawHttp2 client = new RawHttp2(port("http"))) {
      Frame settings = client.next();
      assertThat(settings).isNotNull();
      assertThat(settings.type()).isEqualTo(RawHttp2.SETTINGS);
      assertThat(settings.setting(RawHttp2.MAX_CONCURRENT_STREAMS)).isEqualTo(100);
    }
  }

  @Test
  void streamsPastTheLimitAreRefusedAndTheConnectionAndItsOtherStreamsGoOn() throws Exception {
    int before = upstream.arrived().size();
    double refusedBefore = refusals("refused_stream");
    try (RawHttp2 client = new RawHttp2(port("narrow"))) {
      Frame settings = client.next();
      assertThat(settings.setting(RawHttp2.MAX_CONCURRENT_STREAMS)).isEqualTo(10);
      List<Integer> open = IntStream.range(0, 10).map(i -> 1 + 2 * i).boxed().toList();
      for (int id : open) {
        client.headers(id, false, upload("/upload-" + id));
      }
      // A client that opens 300 more uploads at once, bodies and all, before it reads anything:
      // 100 more than Netty's reset limit used to allow before it closed the connection.
      List<Integer> excess = IntStream.range(0, 300).map(i -> 21 + 2 * i).boxed().toList();
      List<byte[]> frames = new ArrayList<>();
      for (int id : excess) {
        frames.add(RawHttp2.headersBytes(id, false, upload("/refused")));
        frames.add(dataBytes(id, "hello"));
      }
      client.send(RawHttp2.concat(frames.toArray(byte[][]::new)));

      Map<Integer, Integer> resets = new HashMap<>();
      while (resets.size() < excess.size()) {
        Frame frame = client.next();
        assertThat(frame).as("the connection stays open; resets so far: %s", resets).isNotNull();
        assertThat(frame.type()).as("no GOAWAY").isNotEqualTo(RawHttp2.GOAWAY);
        if (frame.type() == RawHttp2.RST_STREAM) {
          resets.put(frame.stream(), frame.errorCode());
        }
      }
      assertThat(resets.keySet()).containsExactlyInAnyOrderElementsOf(excess);
      assertThat(resets.values()).containsOnly(RawHttp2.REFUSED_STREAM);

      for (int id : open) {
        client.data(id, true, "hello".getBytes(StandardCharsets.US_ASCII));
        RawHttp2.StreamOutcome answer = client.await(id);
        assertThat(answer.ended()).as("stream %d: %s", id, answer.frames()).isTrue();
        assertThat(answer.body()).isEqualTo("complete");
      }
      client.headers(621, true, ":method", "GET", ":scheme", "http", ":path", "/after");
      assertThat(client.await(621).body()).as("the connection serves on").isEqualTo("complete");
    }
    List<MessageCheckingUpstream.Arrived> arrived = arrivedSince(before);
    assertThat(arrived).allSatisfy(a -> assertThat(a.complete()).isTrue());
    assertThat(arrived)
        .extracting(MessageCheckingUpstream.Arrived::requestLine)
        .as("no refused stream reached the upstream")
        .doesNotContain("POST /refused HTTP/1.1")
        .hasSize(11);
    assertThat(refusals("refused_stream") - refusedBefore).isEqualTo(300);
  }

  @Test
  void aRapidResetIsStillCutWithEnhanceYourCalm() throws Exception {
    double before = refusals("rapid_reset");
    try (LogCapture logs = new LogCapture(ClientRefusals.class, Level.INFO);
        RawHttp2 client = new RawHttp2(port("http"))) {
      client.send(resetStreams(1, 300));
      Frame goAway = readUntilGoAway(client);
      assertThat(goAway).as("GOAWAY before the connection closed").isNotNull();
      assertThat(goAway.errorCode()).isEqualTo(RawHttp2.ENHANCE_YOUR_CALM);
      assertThat(logs.lines(ClientRefusals.class, Level.INFO))
          .singleElement()
          .asString()
          .contains("rapid_reset")
          .contains("reset more than 200 streams within 30s");
    }
    assertThat(refusals("rapid_reset") - before).isEqualTo(1);
  }

  @Test
  void aClientResettingFewerStreamsThanTheLimitIsServedOn() throws Exception {
    double before = refusals("rapid_reset");
    try (RawHttp2 client = new RawHttp2(port("http"))) {
      client.send(resetStreams(1, 150));
      client.headers(301, true, GET);
      RawHttp2.StreamOutcome answer = client.await(301);
      assertThat(answer.goAway()).isFalse();
      assertThat(answer.body()).isEqualTo("complete");
    }
    assertThat(refusals("rapid_reset") - before).isZero();
  }

  // h2spec 5.1 and 5.1.1: the frame and the code RFC 9113 gives each frame on a closed stream.

  @Test
  void h2spec5_1_6HeadersOnAHalfClosedRemoteStreamIsStreamErrorStreamClosed() throws Exception {
    try (RawHttp2 client = new RawHttp2(port("http"))) {
      // In one write, so the first request cannot have been answered when the second arrives.
      client.send(
          RawHttp2.concat(
              RawHttp2.headersBytes(1, true, GET), RawHttp2.headersBytes(1, true, GET)));
      RawHttp2.StreamOutcome outcome = client.await(1);
      assertThat(outcome.goAway()).as("a stream error, not a connection error").isFalse();
      assertThat(outcome.resetCode()).isEqualTo(RawHttp2.STREAM_CLOSED);
      assertServedOn(client, 3);
    }
  }

  @Test
  void h2spec5_1_5DataOnAHalfClosedRemoteStreamIsStreamErrorStreamClosed() throws Exception {
    try (RawHttp2 client = new RawHttp2(port("http"))) {
      client.send(RawHttp2.concat(RawHttp2.headersBytes(1, true, GET), dataBytes(1, "x")));
      RawHttp2.StreamOutcome outcome = client.await(1);
      assertThat(outcome.goAway()).isFalse();
      assertThat(outcome.resetCode()).isEqualTo(RawHttp2.STREAM_CLOSED);
      assertServedOn(client, 3);
    }
  }

  @ParameterizedTest(name = "h2spec 5.1/{0} after the client's RST_STREAM")
  @ValueSource(ints = {8, 9})
  void h2spec5_1_8And9FramesAfterTheClientsResetAreStreamErrorStreamClosed(int testCase)
      throws Exception {
    try (RawHttp2 client = new RawHttp2(port("http"))) {
      byte[] late = testCase == 8 ? dataBytes(1, "x") : RawHttp2.headersBytes(1, true, GET);
      client.send(
          RawHttp2.concat(
              RawHttp2.headersBytes(1, false, upload("/reset")),
              rstBytes(1, RawHttp2.CANCEL),
              late));
      RawHttp2.StreamOutcome outcome = client.await(1);
      assertThat(outcome.goAway()).isFalse();
      assertThat(outcome.resetCode()).isEqualTo(RawHttp2.STREAM_CLOSED);
      assertServedOn(client, 3);
    }
  }

  @ParameterizedTest(name = "h2spec 5.1/{0} after both sides ended the stream")
  @ValueSource(ints = {11, 12})
  void h2spec5_1_11And12FramesAfterBothEndedAreConnectionErrorStreamClosed(int testCase)
      throws Exception {
    double before = refusals("protocol_error");
    try (RawHttp2 client = new RawHttp2(port("http"))) {
      client.headers(1, true, GET);
      assertThat(client.await(1).ended()).isTrue();
      client.send(testCase == 11 ? dataBytes(1, "x") : RawHttp2.headersBytes(1, true, GET));
      Frame goAway = readUntilGoAway(client);
      assertThat(goAway).as("GOAWAY").isNotNull();
      assertThat(goAway.errorCode()).isEqualTo(RawHttp2.STREAM_CLOSED);
    }
    assertThat(refusals("protocol_error") - before).isEqualTo(1);
  }

  @Test
  void h2spec5_1_1_2AStreamIdBelowOneAlreadyOpenedIsConnectionErrorProtocolError()
      throws Exception {
    double before = refusals("protocol_error");
    try (RawHttp2 client = new RawHttp2(port("http"))) {
      client.send(
          RawHttp2.concat(
              RawHttp2.headersBytes(5, true, GET), RawHttp2.headersBytes(3, true, GET)));
      Frame goAway = readUntilGoAway(client);
      assertThat(goAway).as("GOAWAY").isNotNull();
      assertThat(goAway.errorCode()).isEqualTo(RawHttp2.PROTOCOL_ERROR);
    }
    assertThat(refusals("protocol_error") - before).isEqualTo(1);
  }

  @Test
  void framesAClientSentBeforeItReadOurResetAreIgnored() throws Exception {
    try (RawHttp2 client = new RawHttp2(port("http"))) {
      // No rule for this host: a 404 before the body, then RST_STREAM NO_ERROR.
      client.headers(
          1,
          false,
          ":method",
          "POST",
          ":scheme",
          "http",
          ":path",
          "/upload",
          ":authority",
          "nowhere.example",
          "content-length",
          "3000");
      RawHttp2.StreamOutcome answer = client.await(1);
      assertThat(answer.body()).startsWith("404 ");
      // The body the client had in flight: 300 DATA frames on a stream the sidecar reset.
      byte[][] body = new byte[300][];
      Arrays.setAll(body, i -> RawHttp2.frameBytes(RawHttp2.DATA, 0, 1, new byte[10]));
      client.send(RawHttp2.concat(body));
      client.headers(3, true, GET);
      List<Frame> read = readUntilEnd(client, 3);
      assertThat(read).noneMatch(f -> f.type() == RawHttp2.GOAWAY);
      assertThat(read)
          .filteredOn(f -> f.type() == RawHttp2.RST_STREAM)
          .as("no answer to the late frames")
          .allMatch(f -> f.stream() == 1 && f.errorCode() == RawHttp2.NO_ERROR);
      assertThat(read.get(read.size() - 1).endStream()).isTrue();
    }
  }

  // Item 8: control-frame floods.

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"PING", "SETTINGS"})
  void aClientFloodingControlFramesWithoutReadingTheAnswersIsNoLongerRead(String kind)
      throws Exception {
    boolean ping = kind.equals("PING");
    // PING and its answer are 17 bytes. SETTINGS frames of three settings (27 bytes; 9 for the
    // answer) keep what one read can add (64 KiB / 27) and what reading stops at (64 KiB of
    // answers) under Netty's limit of 10,000 queued answers, which would otherwise cut first.
    byte[] frame =
        ping
            ? RawHttp2.frameBytes(RawHttp2.PING, 0, 0, new byte[8])
            : RawHttp2.frameBytes(
                RawHttp2.SETTINGS,
                0,
                0,
                new byte[] {0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100, 0, 6, 0, 0, (byte) 0x80, 0});
    double pausesBefore = counter("sluice_downstream_read_pauses", null, null);
    double framesBefore = controlFrames(ping);
    double cutsBefore = refusals("control_frame_flood");
    int answerBytes = ping ? 17 : 9;
    long bound = answeredBound(frame.length, answerBytes);
    // Twice what a sidecar that stops reading can answer: one that reads on is found out.
    try (Flooder attacker = new Flooder(port("flood"), frame, 2 * bound)) {
      Awaitility.await("the sidecar stops reading the flooding client")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .failFast("the sidecar closed the flooding connection", attacker::cut)
          .until(() -> counter("sluice_downstream_read_pauses", null, null) > pausesBefore);
      // Reading stopped for good once the flooder's writes stall: over a window in which normal
      // clients are served on each of the sidecar's two event loops (the flooder's among them),
      // not one more byte leaves the flooder and not one more frame of it is decoded (the normal
      // clients' own SETTINGS, one each, aside).
      int ownFrames = ping ? 0 : 1;
      long[] normalClients = {0};
      Awaitility.await("the flooder stalls while normal clients are served")
          .atMost(Duration.ofSeconds(60))
          .failFast("the sidecar closed the flooding connection", attacker::cut)
          .until(
              () -> {
                long writtenBefore = attacker.written();
                double decodedBefore = controlFrames(ping);
                servedOnNewConnection();
                servedOnNewConnection();
                normalClients[0] += 2;
                return attacker.written() == writtenBefore
                    && controlFrames(ping) == decodedBefore + 2 * ownFrames;
              });
      assertThat(controlFrames(ping) - framesBefore - normalClients[0] * ownFrames)
          .as("decoded in all: what the socket buffers hold of the answers, and no more")
          .isLessThanOrEqualTo(bound);

      // The client reads again: the sidecar resumes, and every frame sent gets its answer.
      long[] sentAndAnswered = attacker.stopAndReadAcks(ping ? RawHttp2.PING : RawHttp2.SETTINGS);
      assertThat(sentAndAnswered[1]).as("answers").isEqualTo(sentAndAnswered[0]);
    }
    assertThat(controlFrames(ping) - framesBefore).isGreaterThan(0);
    assertThat(refusals("control_frame_flood") - cutsBefore).as("not cut").isZero();
  }

  // Item 10: silence and noise.

  @Test
  void refusalsAreCountedByReasonAndLoggedOncePerConnection() throws Exception {
    double malformedBefore = refusals("malformed_request");
    double tooLargeBefore = refusals("header_list_too_large");
    try (LogCapture logs = new LogCapture(ClientRefusals.class, Level.DEBUG);
        RawHttp2 client = new RawHttp2(port("http"))) {
      for (int id : new int[] {1, 3, 5}) {
        client.headers(id, true, ":method", "GET", ":path", "/", ":authority", "public.example");
        assertThat(client.await(id).resetCode()).isEqualTo(RawHttp2.PROTOCOL_ERROR);
      }
      for (int id : new int[] {7, 9}) {
        // 34,000 bytes of header list (the listener allows 32,768): HEADERS and CONTINUATIONs.
        byte[] block =
            RawHttp2.block(
                ":method",
                "GET",
                ":scheme",
                "http",
                ":path",
                "/",
                ":authority",
                "public.example",
                "x-big",
                "b".repeat(34_000));
        for (int at = 0; at < block.length; at += 16_000) {
          int end = Math.min(block.length, at + 16_000);
          int flags =
              (at == 0 ? RawHttp2.END_STREAM : 0)
                  | (end == block.length ? RawHttp2.END_HEADERS : 0);
          client.frame(
              at == 0 ? RawHttp2.HEADERS : RawHttp2.CONTINUATION,
              flags,
              id,
              Arrays.copyOfRange(block, at, end));
        }
        RawHttp2.StreamOutcome outcome = client.await(id);
        assertThat(outcome.goAway()).isFalse();
        assertThat(outcome.frames()).first().extracting(Frame::type).isEqualTo(RawHttp2.HEADERS);
      }
      assertServedOn(client, 11);
      assertThat(logs.lines(ClientRefusals.class, Level.DEBUG))
          .as("one line for the connection's five refusals")
          .singleElement()
          .asString()
          .contains("malformed_request");
    }
    assertThat(refusals("malformed_request") - malformedBefore).isEqualTo(3);
    assertThat(refusals("header_list_too_large") - tooLargeBefore).isEqualTo(2);
    assertThat(sidecar.sidecar().metrics().registry().scrape())
        .contains("sluice_downstream_refusals_total{reason=\"malformed_request\"}")
        .contains("sluice_downstream_refusals_total{reason=\"header_list_too_large\"}");
  }

  @Test
  void aBurstOf200ClientResetsLogsNoWarning() throws Exception {
    try (LogCapture logs = new LogCapture(Http2DownstreamTail.class, Level.DEBUG)) {
      for (int i = 0; i < 200; i++) {
        try (Socket socket = new Socket("127.0.0.1", port("http"))) {
          socket.setSoTimeout(10_000);
          OutputStream out = socket.getOutputStream();
          out.write(RawHttp2.concat(PREFACE, RawHttp2.frameBytes(RawHttp2.SETTINGS, 0, 0, NONE)));
          out.flush();
          // The acknowledgement of our SETTINGS: the sidecar has answered all it was sent.
          DataInputStream in = new DataInputStream(socket.getInputStream());
          Frame frame;
          do {
            frame = readFrame(in);
          } while (!(frame.type() == RawHttp2.SETTINGS && (frame.flags() & RawHttp2.ACK) != 0));
          socket.setSoLinger(true, 0); // close with a TCP reset
        }
      }
      Awaitility.await("the sidecar saw every reset (or warned about one)")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  logs.lines(Http2DownstreamTail.class, Level.DEBUG).size() >= 200
                      || !logs.atOrAbove(Level.WARN).isEmpty());
      assertThat(logs.atOrAbove(Level.WARN)).as("WARN or ERROR lines").isEmpty();
      assertThat(logs.lines(Http2DownstreamTail.class, Level.DEBUG))
          .hasSize(200)
          .allSatisfy(line -> assertThat(line).contains("failed: ").doesNotContain("\n\tat "));
    }
  }

  // Helpers.

  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NONE = new byte[0];

  private static int port(String listener) {
    return sidecar.sidecar().listenerAddresses().get(listener).getPort();
  }

  private static String[] upload(String path) {
    return new String[] {
      ":method",
      "POST",
      ":scheme",
      "http",
      ":path",
      path,
      ":authority",
      "public.example",
      "content-length",
      "5"
    };
  }

  private static byte[] dataBytes(int stream, String text) {
    return RawHttp2.frameBytes(
        RawHttp2.DATA, RawHttp2.END_STREAM, stream, text.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] rstBytes(int stream, int code) {
    return RawHttp2.frameBytes(
        RawHttp2.RST_STREAM,
        0,
        stream,
        new byte[] {(byte) (code >>> 24), (byte) (code >>> 16), (byte) (code >>> 8), (byte) code});
  }

  /** {@code count} uploads from stream {@code first} on, each reset by the client at once. */
  private static byte[] resetStreams(int first, int count) {
    byte[][] frames = new byte[count * 2][];
    for (int i = 0; i < count; i++) {
      int id = first + 2 * i;
      frames[2 * i] = RawHttp2.headersBytes(id, false, upload("/reset"));
      frames[2 * i + 1] = rstBytes(id, RawHttp2.CANCEL);
    }
    return RawHttp2.concat(frames);
  }

  private static void servedOnNewConnection() throws IOException {
    try (RawHttp2 normal = new RawHttp2(port("http"))) {
      assertServedOn(normal, 1);
    }
  }

  private static void assertServedOn(RawHttp2 client, int stream) throws IOException {
    client.headers(stream, true, GET);
    RawHttp2.StreamOutcome answer = client.await(stream);
    assertThat(answer.goAway()).isFalse();
    assertThat(answer.body()).as("the connection serves on").isEqualTo("complete");
  }

  /** The GOAWAY the sidecar sends before it closes; null when it closed without one. */
  private static Frame readUntilGoAway(RawHttp2 client) throws IOException {
    Frame frame;
    while ((frame = client.next()) != null) {
      if (frame.type() == RawHttp2.GOAWAY) {
        return frame;
      }
    }
    return null;
  }

  /** Every frame read until {@code stream} ended; fails when the connection ended first. */
  private static List<Frame> readUntilEnd(RawHttp2 client, int stream) throws IOException {
    List<Frame> read = new ArrayList<>();
    while (true) {
      Frame frame = client.next();
      assertThat(frame).as("the connection closed after %s", read).isNotNull();
      read.add(frame);
      if (frame.stream() == stream && (frame.endStream() || frame.type() == RawHttp2.RST_STREAM)) {
        return read;
      }
    }
  }

  private static Frame readFrame(DataInputStream in) throws IOException {
    int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
    int type = in.readUnsignedByte();
    int flags = in.readUnsignedByte();
    int stream = in.readInt() & 0x7fffffff;
    return new Frame(type, flags, stream, in.readNBytes(length));
  }

  private static List<MessageCheckingUpstream.Arrived> arrivedSince(int before)
      throws InterruptedException {
    assertThat(upstream.awaitNoRequestInProgress(Duration.ofSeconds(10))).isTrue();
    List<MessageCheckingUpstream.Arrived> all = upstream.arrived();
    return all.subList(before, all.size());
  }

  private static double refusals(String reason) {
    return counter("sluice_downstream_refusals", "reason", reason);
  }

  private static double controlFrames(boolean ping) {
    return counter("sluice_downstream_control_frames", "type", ping ? "ping" : "settings");
  }

  private static double counter(String name, String tag, String value) {
    var search = sidecar.sidecar().metrics().registry().find(name);
    Counter counter = (tag == null ? search : search.tag(tag, value)).counter();
    return counter == null ? 0 : counter.count();
  }

  /** The flooder's receive buffer, fixed (not tuned by the kernel) so the bound below holds. */
  private static final int FLOODER_RECEIVE_BUFFER = 64 * 1024;

  /**
   * The most control frames a sidecar that stops reading can have answered for a client that reads
   * nothing: answers parked in the kernel (the sidecar's send buffer at its largest, the flooder's
   * receive buffer, which the kernel doubles), the 64 KiB the connection holds before it stops
   * reading, and the rest of the read in progress then.
   */
  private static long answeredBound(int frameBytes, int answerBytes) throws IOException {
    long parked = largest("/proc/sys/net/ipv4/tcp_wmem") + 2L * FLOODER_RECEIVE_BUFFER + 64 * 1024;
    return parked / answerBytes + 64 * 1024 / frameBytes;
  }

  private static long largest(String sysctl) throws IOException {
    String line;
    try (var reader = Files.newBufferedReader(Path.of(sysctl))) {
      line = reader.readLine(); // read, not readString: /proc files report no size
    }
    String[] values = line.trim().split("\\s+");
    return Long.parseLong(values[values.length - 1]);
  }

  /**
   * A client that sends the preface and then one control frame after another, never reading, until
   * told to stop; then it reads the answers.
   */
  private static final class Flooder implements AutoCloseable {
    private final Socket socket;
    private final Thread writer;
    private final AtomicLong written = new AtomicLong();
    private volatile boolean stop;

    /** Floods {@code cap} copies of {@code frame}, rounded up to whole 16 KiB writes. */
    Flooder(int port, byte[] frame, long cap) throws IOException {
      socket = new Socket();
      socket.setReceiveBufferSize(FLOODER_RECEIVE_BUFFER);
      socket.connect(new InetSocketAddress("127.0.0.1", port));
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(RawHttp2.concat(PREFACE, RawHttp2.frameBytes(RawHttp2.SETTINGS, 0, 0, NONE)));
      byte[] chunk = new byte[frame.length * (16 * 1024 / frame.length)];
      for (int at = 0; at < chunk.length; at += frame.length) {
        System.arraycopy(frame, 0, chunk, at, frame.length);
      }
      long perChunk = chunk.length / frame.length;
      writer =
          new Thread(
              () -> {
                try {
                  while (!stop && written.get() < cap) {
                    out.write(chunk); // blocks once the sidecar stops reading
                    written.addAndGet(perChunk);
                  }
                } catch (IOException e) {
                  written.set(-1); // the sidecar closed the connection
                }
              },
              "flooder");
      writer.start();
    }

    /** Frames written so far (whole chunks). */
    long written() {
      return written.get();
    }

    /** True once the sidecar closed the connection under the writer. */
    boolean cut() {
      return written.get() < 0;
    }

    /**
     * Stops writing (the write in progress ends once the sidecar reads again), reads every answer
     * of {@code type} until all the frames written have theirs, and returns how many were written
     * and how many answers came. Fails on a GOAWAY or when the connection closes.
     */
    long[] stopAndReadAcks(int type) throws IOException {
      stop = true;
      socket.setSoTimeout(200);
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[64 * 1024];
      int held = 0;
      long acks = 0;
      boolean prefaceAck = type == RawHttp2.SETTINGS; // the answer to our preface's SETTINGS
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (writer.isAlive() || acks < written.get()) {
        assertThat(System.nanoTime()).as("all answers within 60 s").isLessThan(deadline);
        int read;
        try {
          read = in.read(buffer, held, buffer.length - held);
        } catch (SocketTimeoutException e) {
          continue; // nothing yet: check the writer again
        }
        assertThat(read).as("the connection stays open").isPositive();
        held += read;
        int at = 0;
        while (held - at >= 9) {
          int length =
              (buffer[at] & 0xff) << 16 | (buffer[at + 1] & 0xff) << 8 | (buffer[at + 2] & 0xff);
          if (held - at < 9 + length) {
            break;
          }
          int frameType = buffer[at + 3];
          assertThat(frameType).as("no GOAWAY").isNotEqualTo(RawHttp2.GOAWAY);
          if (frameType == type && (buffer[at + 4] & RawHttp2.ACK) != 0) {
            if (prefaceAck) {
              prefaceAck = false;
            } else {
              acks++;
            }
          }
          at += 9 + length;
        }
        System.arraycopy(buffer, at, buffer, 0, held - at);
        held -= at;
      }
      assertThat(cut()).as("the connection was not closed").isFalse();
      return new long[] {written.get(), acks};
    }

    @Override
    public void close() throws IOException {
      stop = true;
      socket.close();
    }
  }
}
