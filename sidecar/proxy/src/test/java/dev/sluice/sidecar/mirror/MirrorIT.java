package dev.sluice.sidecar.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.sidecar.Sidecar;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.testing.Arrival;
import dev.sluice.sidecar.testing.CountingAllocator;
import dev.sluice.sidecar.testing.Http1Client;
import dev.sluice.sidecar.testing.Http2Client;
import dev.sluice.sidecar.testing.ReceivedRequest;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import dev.sluice.sidecar.transport.Io;
import dev.sluice.sidecar.transport.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Invariant: a rule's mirrors get exact copies (head as sent upstream, body bytes) of the share of
 * requests they ask for, bodies up to their limit only; a stalled mirror never holds up, slows or
 * fails a primary exchange, and every copy it could not take is counted by why; the primary's
 * END_STREAM and zero-copy path are as without a mirror; no buffer leaks (paranoid detection,
 * asserted after each class).
 */
class MirrorIT {
  private static final Pattern METRIC =
      Pattern.compile("sluice_mirror_requests_total\\{result=\"([a-z_]+)\",rule=\"r\"} ([0-9.]+)");

  /** Sidecar config: rule r to {@code primary}, with {@code mirrors} (YAML list items). */
  private static String config(String primaryProtocol, String primary, String mirrors) {
    return """
        version: 4
        admin: {address: 127.0.0.1:0}
        listeners: [{name: http, address: 127.0.0.1:0}]
        rules:
          - name: r
            listener: http
            upstream: {protocol: %s, endpoints: [%s]}
            timeouts: {connect: 60s, request: 60s}
            requestHeaders: {add: [{name: x-added, value: "yes"}]}
            rewrite: {path: {type: ReplaceFullPath, value: /rewritten}}
            mirrors:
        %s"""
        .formatted(primaryProtocol, primary, mirrors.indent(6));
  }

  /** Copies ended by result, from the sidecar's metrics (0 for a result not counted yet). */
  private static long mirrored(RunningSidecar sidecar, String result) {
    return mirrored(sidecar.sidecar(), result);
  }

  private static long mirrored(Sidecar sidecar, String result) {
    Matcher m = METRIC.matcher(sidecar.metrics().registry().scrape());
    while (m.find()) {
      if (m.group(1).equals(result)) {
        return (long) Double.parseDouble(m.group(2));
      }
    }
    return 0;
  }

  private static String sha256(byte[] body) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
  }

  /** A backend that accepts connections and then never reads nor answers. */
  private static final class StalledBackend implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final Thread acceptor = new Thread(this::accept, "stalled-mirror");

    StalledBackend() throws IOException {
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          held.add(server.accept());
        } catch (IOException expected) {
          return; // closed
        }
      }
    }

    String address() {
      return "127.0.0.1:" + server.getLocalPort();
    }

    int connections() {
      return held.size();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  @ParameterizedTest(name = "client and mirror {0}")
  @ValueSource(strings = {"http1", "h2c"})
  void aStalledMirrorNeverHoldsUpThePrimaryAndDropsAreCounted(String protocol) throws Exception {
    int n = MirrorPermits.MAX_IN_FLIGHT + 40;
    boolean h2c = protocol.equals("h2c");
    try (RecordingUpstream primary = RecordingUpstream.http1();
        StalledBackend stalled = new StalledBackend();
        RunningSidecar sidecar =
            new RunningSidecar(
                config(
                    "http1",
                    primary.address(),
                    "- upstream: {protocol: %s, endpoints: [%s]}"
                        .formatted(protocol, stalled.address())));
        Http2Client client =
            h2c
                ? Http2Client.connect(
                    sidecar.sidecar().listenerAddresses().get("http").getPort(), false)
                : null) {
      int port = sidecar.sidecar().listenerAddresses().get("http").getPort();
      Random random = new Random(7);
      for (int i = 0; i < n; i++) {
        byte[] body = new byte[1 + random.nextInt(8192)];
        random.nextBytes(body);
        String id = protocol + "-stalled-" + i;
        byte[] answer;
        int status;
        if (h2c) {
          Http2Client.Result result =
              client.post(
                  "/in",
                  body,
                  Http2Client.End.DATA,
                  Arrival.ALL_AT_ONCE,
                  Map.of(RecordingUpstream.TEST_ID, id));
          status = result.status();
          answer = result.body();
        } else {
          Http1Client.Response response =
              Http1Client.post(
                  "127.0.0.1",
                  port,
                  false,
                  "/in",
                  body,
                  Http1Client.Framing.CONTENT_LENGTH,
                  Arrival.ALL_AT_ONCE,
                  RecordingUpstream.TEST_ID + ": " + id);
          status = response.status();
          answer = response.body();
        }
        assertThat(status).as("primary %s", id).isEqualTo(200);
        assertThat(new String(answer).trim()).as("primary %s", id).isEqualTo(sha256(body));
      }
      // Every primary answered; the mirror took connections and answered nothing: the first
      // MAX_IN_FLIGHT copies wait on it (each within the rule's 60 s timeouts), the rest were
      // dropped for want of a permit, counted as such.
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(mirrored(sidecar, "dropped_full"))
                      .isEqualTo(n - MirrorPermits.MAX_IN_FLIGHT));
      assertThat(stalled.connections()).isPositive();
      assertThat(mirrored(sidecar, "sent")).isZero();
      assertThat(mirrored(sidecar, "failed")).isZero();
    }
  }

  @ParameterizedTest(name = "mirror {0}")
  @ValueSource(strings = {"http1", "h2c"})
  void mirrorsGetExactCopiesOfBodiesUpToTheirLimitAndNoneOver(String protocol) throws Exception {
    int limit = 40_000;
    try (RecordingUpstream primary = RecordingUpstream.h2c();
        RecordingUpstream mirror =
            protocol.equals("h2c") ? RecordingUpstream.h2c() : RecordingUpstream.http1();
        RunningSidecar sidecar =
            new RunningSidecar(
                config(
                    "h2c",
                    primary.address(),
                    "- {upstream: {protocol: %s, endpoints: [%s]}, maxBodyBytes: %d}"
                        .formatted(protocol, mirror.address(), limit)))) {
      int port = sidecar.sidecar().listenerAddresses().get("http").getPort();
      int[] sizes = {0, 1, 16_384, limit, limit + 1, 200_000};
      Random random = new Random(11);
      int copied = 0;
      for (int size : sizes) {
        for (Http1Client.Framing framing :
            List.of(Http1Client.Framing.CONTENT_LENGTH, Http1Client.Framing.CHUNKED)) {
          byte[] body = new byte[size];
          random.nextBytes(body);
          String id = protocol + "-" + size + "-" + framing;
          Http1Client.Response response =
              Http1Client.post(
                  "127.0.0.1",
                  port,
                  false,
                  "/orig?q=1",
                  body,
                  framing,
                  Arrival.SMALL_WRITES,
                  RecordingUpstream.TEST_ID + ": " + id,
                  "x-client: " + id);
          assertThat(response.status()).isEqualTo(200);
          assertThat(new String(response.body()).trim()).isEqualTo(sha256(body));
          if (size <= limit) {
            copied++;
            ReceivedRequest copy =
                await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> mirror.received(id), r -> r != null && r.bytes() == size);
            ReceivedRequest sent = primary.received(id);
            assertThat(copy.sha256Hex()).as(id).isEqualTo(sent.sha256Hex()).isEqualTo(sha256(body));
            for (String field : List.of(":path", "x-added", "x-client", "traceparent")) {
              assertThat(copy.header(field))
                  .as("%s of %s", field, id)
                  .isEqualTo(sent.header(field));
            }
            assertThat(authority(copy)).as("host of %s", id).isEqualTo(authority(sent));
            assertThat(copy.header(":path")).isEqualTo("/rewritten?q=1");
            assertThat(copy.header("x-added")).isEqualTo("yes");
          }
        }
      }
      int expectedCopies = copied;
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(mirrored(sidecar, "sent")).isEqualTo(expectedCopies));
      assertThat(mirrored(sidecar, "dropped_body_too_large")).isEqualTo(4);
      for (String framing : List.of("CONTENT_LENGTH", "CHUNKED")) {
        assertThat(mirror.received(protocol + "-" + (limit + 1) + "-" + framing)).isNull();
        assertThat(mirror.received(protocol + "-200000-" + framing)).isNull();
      }
    }
  }

  @Test
  void percentAndFractionAreHonouredWithinFiveSigmaOverTwoThousandRequests() throws Exception {
    int n = 2_000;
    try (RecordingUpstream primary = RecordingUpstream.http1();
        RecordingUpstream quarter = RecordingUpstream.http1();
        RecordingUpstream third = RecordingUpstream.h2c();
        RecordingUpstream never = RecordingUpstream.http1();
        RunningSidecar sidecar =
            new RunningSidecar(
                config(
                    "http1",
                    primary.address(),
                    """
                    - {upstream: {endpoints: [%s]}, percent: 25}
                    - {upstream: {protocol: h2c, endpoints: [%s]}, fraction: {numerator: 1, denominator: 3}}
                    - {upstream: {endpoints: [%s]}, percent: 0}"""
                        .formatted(quarter.address(), third.address(), never.address())))) {
      int port = sidecar.sidecar().listenerAddresses().get("http").getPort();
      for (int i = 0; i < n; i++) {
        Http1Client.Response response =
            Http1Client.post(
                "127.0.0.1",
                port,
                false,
                "/share",
                new byte[] {(byte) i},
                Http1Client.Framing.CONTENT_LENGTH,
                Arrival.ALL_AT_ONCE,
                RecordingUpstream.TEST_ID + ": share-" + i);
        assertThat(response.status()).isEqualTo(200);
      }
      // Every copy ends (sent) before it is counted; wait for all of them.
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(mirrored(sidecar, "sent"))
                      .isEqualTo(count(quarter, n) + count(third, n)));
      // Binomial(2000, 1/4): sigma 19.4, so 500 +- 97; Binomial(2000, 1/3): sigma 21.1, 667 +- 105.
      double quarterSigma = Math.sqrt(n * 0.25 * 0.75);
      double thirdSigma = Math.sqrt(n / 3.0 * 2 / 3.0);
      assertThat((double) count(quarter, n))
          .isBetween(500 - 5 * quarterSigma, 500 + 5 * quarterSigma);
      assertThat((double) count(third, n))
          .isBetween(n / 3.0 - 5 * thirdSigma, n / 3.0 + 5 * thirdSigma);
      assertThat(count(never, n)).as("percent 0: never copied").isZero();
      assertThat(count(primary, n)).isEqualTo(n);
    }
  }

  /** The host a request was sent for: its Host field (HTTP/1.1) or :authority (HTTP/2). */
  private static String authority(ReceivedRequest request) {
    String host = request.header("host");
    return host != null ? host : request.header(":authority");
  }

  private static int count(RecordingUpstream upstream, int n) {
    int received = 0;
    for (int i = 0; i < n; i++) {
      if (upstream.received("share-" + i) != null) {
        received++;
      }
    }
    return received;
  }

  @ParameterizedTest(name = "zeroCopy h1 -> h2c with a mirror, {0} bytes")
  @ValueSource(ints = {0, 1, 16_384, 16_385, 1 << 20, 4 << 20})
  void endStreamAndZeroCopyOfThePrimaryAreUnaffected(int size) throws Exception {
    CountingAllocator allocator = new CountingAllocator();
    String yaml = config("h2c", "%s", "- {upstream: {endpoints: [%s]}, maxBodyBytes: 16777216}");
    try (RecordingUpstream primary = RecordingUpstream.h2c();
        RecordingUpstream mirror = RecordingUpstream.http1();
        Sidecar sidecar =
            new Sidecar(2, new Io(Transport.best(), allocator, allocator.receive()))
                .start(
                    SidecarConfigCodec.readYaml(
                        yaml.formatted(primary.address(), mirror.address()), "test"))) {
      int port = sidecar.listenerAddresses().get("http").getPort();
      Http1Client.postGenerated(port, "/warmup", 1 << 20, RecordingUpstream.TEST_ID + ": warmup");
      await().atMost(Duration.ofSeconds(30)).until(() -> mirrored(sidecar, "sent") == 1);
      allocator.reset();
      String id = "zc-" + size;
      Map.Entry<Http1Client.Response, String> result =
          Http1Client.postGenerated(port, "/up", size, RecordingUpstream.TEST_ID + ": " + id);
      assertThat(result.getKey().status()).isEqualTo(200);
      assertThat(new String(result.getKey().body()).trim()).isEqualTo(result.getValue());
      ReceivedRequest sent = primary.received(id);
      assertThat(sent.sha256Hex()).isEqualTo(result.getValue());
      assertThat(sent.endStreams()).as("one END_STREAM: %s", sent.frames()).isEqualTo(1);
      assertThat(sent.framesAfterEnd()).isZero();
      assertThat(sent.endedOn()).isEqualTo(size == 0 ? "HEADERS" : "DATA");
      ReceivedRequest copy =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> mirror.received(id), r -> r != null && r.bytes() == size);
      assertThat(copy.sha256Hex()).isEqualTo(result.getValue());
      await().atMost(Duration.ofSeconds(30)).until(() -> mirrored(sidecar, "sent") == 2);
      if (size >= 1 << 20) {
        double perByte = (double) (allocator.allocated() - allocator.receiveBuffers()) / size;
        System.out.printf(
            "zero-copy evidence with a mirror: h1 -> h2c, %d bytes: %.4f bytes allocated on the"
                + " forwarding path per payload byte%n",
            size, perByte);
        assertThat(perByte).as("the primary and its copy share the buffers").isLessThan(0.05);
      }
    }
  }
}
