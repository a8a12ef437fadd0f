package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.Sidecar;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.testing.BulkUpstream;
import dev.sluice.sidecar.testing.CountingAllocator;
import dev.sluice.sidecar.testing.Http1Client;
import dev.sluice.sidecar.testing.RawHttp2;
import dev.sluice.sidecar.transport.Io;
import dev.sluice.sidecar.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Invariant: an HTTP/2 client that asks for large responses and never opens its flow-control window
 * makes the sidecar pull and hold only a small buffer per stream and at most its listener's {@code
 * http2.maxBufferedResponseBytes} per connection (the streams holding the most are reset with
 * ENHANCE_YOUR_CALM, counted), cannot starve another client whose streams share the upstream
 * connection nor, by the hundreds of upstream streams the sidecar cancels for it, get that
 * connection closed under the other client, has a stream whose window stays shut reset after {@code
 * stalledWriteTimeout}, and leaves nothing held once it disconnects.
 */
class FlowControlPinningIT {
  private static final int MIB = 1 << 20;
  private static final String ONE_MIB = "/bytes/" + MIB;

  /**
   * What one stream may pull beyond what its client's window lets go: the upstream's read-ahead (64
   * KiB for a client window this small) and the one object that may wait on a shut window (a DATA
   * frame, 16 KiB at most).
   */
  private static final long STREAM_BUFFER = (64 + 16) * 1024;

  /** The default {@code http2.maxBufferedResponseBytes}. */
  private static final long CAP = 4L * MIB;

  /**
   * One event loop, so that the attacker, the normal client and their upstream streams share one
   * loop and one upstream connection, the worst case for head-of-line blocking.
   */
  private static Sidecar sidecar(CountingAllocator allocator, String upstream, String listener)
      throws Exception {
    String yaml =
        """
        version: 1
        admin: {address: 127.0.0.1:0}
        listeners: [{name: http, address: 127.0.0.1:0%s}]
        rules:
          - {name: r, listener: http, upstream: {protocol: h2c, endpoints: [%s]}}
        """
            .formatted(listener, upstream);
    return new Sidecar(1, new Io(Transport.best(), allocator, allocator.receive()))
        .start(SidecarConfigCodec.readYaml(yaml, "test"));
  }

  @ParameterizedTest(name = "client window {0}")
  @ValueSource(ints = {0, 65535})
  void aStreamWhoseClientNeverOpensItsWindowPullsItsWindowPlusASmallBuffer(int window)
      throws Exception {
    CountingAllocator allocator = CountingAllocator.uncached();
    try (BulkUpstream upstream = new BulkUpstream();
        Sidecar sidecar = sidecar(allocator, upstream.address(), "");
        Attacker attacker = new Attacker(port(sidecar), window)) {
      attacker.get(1, ONE_MIB);
      // The upstream runs out of the window the sidecar granted, and the sidecar, having read
      // all of it, grants no more.
      awaitSettled(upstream, attacker, 1);
      long pulled = upstream.dataBytes();
      attacker.ping();
      upstream.roundTrip();
      assertThat(upstream.blockedStreams()).isEqualTo(1);
      assertThat(upstream.dataBytes()).isEqualTo(pulled);
      System.out.printf(
          "pinning: one stream, client window %d: %d bytes pulled from the upstream, %d reached"
              + " the client%n",
          window, pulled, attacker.dataBytes(1));
      assertThat(attacker.dataBytes(1)).isLessThanOrEqualTo(window);
      assertThat(pulled)
          .as("bytes pulled from the upstream for one stream with a %d-byte window", window)
          .isLessThanOrEqualTo(window + STREAM_BUFFER);
    }
  }

  @Test
  void aConnectionPinsAtMostItsCapAndItsFullestStreamsAreReset() throws Exception {
    int streams = 100;
    CountingAllocator allocator = CountingAllocator.uncached();
    try (BulkUpstream upstream = new BulkUpstream();
        Sidecar sidecar = sidecar(allocator, upstream.address(), "")) {
      int port = port(sidecar);
      assertThat(normalGet(port)).isEqualTo(MIB); // warm: the upstream connection is open
      long baseline = allocator.liveBytes();
      PeakSampler peak = new PeakSampler(allocator);
      try (Attacker attacker = new Attacker(port, 0)) {
        for (int i = 0; i < streams; i++) {
          attacker.get(1 + 2 * i, ONE_MIB);
        }
        awaitSettled(upstream, attacker, streams);
        long held = allocator.liveBytes() - baseline;
        System.out.printf(
            "pinning: %d streams, window 0: %d bytes pulled, %d held (peak %d), %d streams reset"
                + " %s%n",
            streams,
            upstream.dataBytes() - MIB,
            held,
            peak.peak() - baseline,
            attacker.resets().size(),
            attacker.resets().values().stream().distinct().toList());
        assertThat(attacker.resets()).isNotEmpty();
        assertThat(attacker.resets().values()).containsOnly(RawHttp2.ENHANCE_YOUR_CALM);
        assertThat(refusals(sidecar, "pinned_bytes")).isEqualTo(attacker.resets().size());
        assertThat(held)
            .as("buffer memory the attacker's connection holds")
            .isLessThan(CAP + MIB / 2);
        assertThat(upstream.dataBytes() - MIB)
            .as("bytes pulled for the attacker")
            .isLessThanOrEqualTo(streams * STREAM_BUFFER);

        // Meanwhile a normal client on another connection gets its whole response.
        assertThat(normalGet(port)).isEqualTo(MIB);
      }
      // The attacker left: every one of its streams is cancelled at the upstream, and what they
      // held is given back.
      Awaitility.await("every attacker stream cancelled at the upstream")
          .atMost(Duration.ofSeconds(10))
          .until(() -> upstream.resets() == streams);
      Awaitility.await("the attacker's buffers released")
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(allocator.liveBytes() - baseline).isLessThan(256 * 1024));
      peak.close();
    }
  }

  @Test
  void stalledStreamsDoNotStarveAnotherClientOnTheSameUpstreamConnection() throws Exception {
    // Few enough that the connection stays under its cap: nothing is reset, the streams stay
    // stalled, and their bytes stay unread on the shared upstream connection.
    int streams = 24;
    CountingAllocator allocator = CountingAllocator.uncached();
    try (BulkUpstream upstream = new BulkUpstream();
        Sidecar sidecar = sidecar(allocator, upstream.address(), "");
        Attacker attacker = new Attacker(port(sidecar), 0)) {
      for (int i = 0; i < streams; i++) {
        attacker.get(1 + 2 * i, ONE_MIB);
      }
      awaitSettled(upstream, attacker, streams);
      assertThat(upstream.connections()).isEqualTo(1);
      long started = System.nanoTime();
      assertThat(normalGet(port(sidecar))).isEqualTo(MIB);
      System.out.printf(
          "pinning: %d stalled streams, window 0: %d bytes pulled; a normal 1 MiB GET on the same"
              + " upstream connection took %d ms%n",
          streams, upstream.dataBytes() - MIB, (System.nanoTime() - started) / 1_000_000);
      assertThat(upstream.connections()).as("one upstream connection for everyone").isEqualTo(1);
      assertThat(attacker.resets()).as("streams reset").isEmpty();
      assertThat(upstream.blockedStreams()).isEqualTo(streams);
    }
  }

  @Test
  void hundredsOfShedStreamsDoNotCostAnotherClientItsUpstreamConnection() throws Exception {
    // Clients that ask again for every stream they lose make the sidecar shed stream after stream
    // and cancel each upstream (RST_STREAM CANCEL): hundreds within seconds, which an upstream
    // takes for a rapid-reset attack (BulkUpstream, as any Netty server, closes a connection over
    // 200 in 30 s). Each such client connection is closed once it was sent 100 or so resets
    // (Netty's limit of 200 a server may send in 30 s: resetting a stream with DATA pending
    // counts twice), so it takes a few of them, one after the other.
    int inFlight = 90; // with the other client's stream, all on one upstream connection
    CountingAllocator allocator = CountingAllocator.uncached();
    try (BulkUpstream upstream = new BulkUpstream();
        Sidecar sidecar = sidecar(allocator, upstream.address(), "");
        Socket patient = new Socket("127.0.0.1", port(sidecar))) {
      // Another client's 1 MiB download, not read before the storm is over.
      patient.setSoTimeout(10_000);
      patient
          .getOutputStream()
          .write(
              ("GET " + ONE_MIB + " HTTP/1.1\r\nHost: sluice.test\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      Awaitility.await("the download under way")
          .atMost(Duration.ofSeconds(10))
          .until(() -> upstream.streams() == 1);
      long started = System.nanoTime();
      while (upstream.resets() < 300) {
        storm(port(sidecar), inFlight, started);
        // This client is gone: none of its streams is left open at the upstream.
        Awaitility.await("no attacker stream left at the upstream")
            .atMost(Duration.ofSeconds(20))
            .until(() -> upstream.activeStreams() <= 1);
      }

      assertThat(upstream.calmDowns()).as("upstream connections closed for resets").isZero();
      assertThat(upstream.resets()).as("streams cancelled").isEqualTo(upstream.streams() - 1);
      Http1Client.Response response = Http1Client.readResponse(patient.getInputStream());
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).hasSize(MIB);
      assertThat(upstream.connections())
          .as("upstream connections retired for the streams cancelled on them, and replaced")
          .isGreaterThan(1);
    }
  }

  /**
   * One client that keeps {@code inFlight} streams asking for 1 MiB with a shut window, asking
   * again for each one the sidecar resets, until the sidecar closes its connection.
   */
  private static void storm(int port, int inFlight, long started) throws Exception {
    int asked = 0;
    try (Attacker attacker = new Attacker(port, 0)) {
      while (!attacker.closed()) {
        while (!attacker.closed() && asked - attacker.resets().size() < inFlight) {
          attacker.get(1 + 2 * asked++, ONE_MIB);
        }
        Thread.sleep(10); // pacing: let the sidecar shed before asking again
        assertThat(System.nanoTime() - started).isLessThan(Duration.ofSeconds(60).toNanos());
      }
      assertThat(attacker.goAwayCode()).as("closed for the resets it was sent").isEqualTo(11);
    } catch (java.net.SocketException closedWhileAsking) {
      // the sidecar closed the connection while a request was being written
    }
  }

  @Test
  void aStreamWhoseWindowStaysShutIsResetAfterTheStalledWriteTimeoutAndCancelledUpstream()
      throws Exception {
    CountingAllocator allocator = CountingAllocator.uncached();
    try (BulkUpstream upstream = new BulkUpstream();
        Sidecar sidecar =
            sidecar(allocator, upstream.address(), ", limits: {stalledWriteTimeout: 2s}");
        Attacker attacker = new Attacker(port(sidecar), 0)) {
      // Stream 1 never gets a window; stream 3 gets 16 KiB every 200 ms (slow, but moving), for a
      // response that takes longer than the timeout.
      long asked = System.nanoTime();
      attacker.get(1, ONE_MIB);
      int slow = 256 * 1024;
      attacker.get(3, "/bytes/" + slow);
      while (attacker.dataBytes(3) < slow) {
        attacker.windowUpdate(3, 16 * 1024);
        attacker.windowUpdate(0, 16 * 1024);
        Thread.sleep(200); // pacing: a slow reader that keeps its window opening
        assertThat(System.nanoTime() - asked).isLessThan(Duration.ofSeconds(30).toNanos());
      }
      Awaitility.await("stream 1 reset")
          .atMost(Duration.ofSeconds(10))
          .until(() -> attacker.resets().containsKey(1));
      assertThat(attacker.resets()).containsExactly(Map.entry(1, RawHttp2.CANCEL));
      assertThat(attacker.resetAt(1) - asked)
          .as("never before the timeout")
          .isGreaterThanOrEqualTo(Duration.ofSeconds(2).toNanos());
      Awaitility.await("stream 3 complete")
          .atMost(Duration.ofSeconds(30))
          .until(() -> attacker.ended(3));
      assertThat(attacker.dataBytes(3)).isEqualTo(slow);
      assertThat(
              sidecar
                  .metrics()
                  .registry()
                  .get("sluice_downstream_timeouts")
                  .tag("kind", "stalled_write")
                  .counter()
                  .count())
          .isEqualTo(1);
      Awaitility.await("the upstream stream cancelled")
          .atMost(Duration.ofSeconds(5))
          .until(() -> upstream.resets() == 1);
    }
  }

  private static int port(Sidecar sidecar) {
    return sidecar.listenerAddresses().get("http").getPort();
  }

  /**
   * Waits until each of the attacker's {@code streams} is either reset by the sidecar or waits at
   * the upstream for window the sidecar does not open, the sidecar has read everything the upstream
   * sent (a PING round trip on the upstream connection), and the upstream sent nothing more since
   * the previous look (a WINDOW_UPDATE on its way would have shown as bytes sent).
   */
  private static void awaitSettled(BulkUpstream upstream, Attacker attacker, int streams)
      throws Exception {
    long[] sent = {-1};
    try {
      Awaitility.await(streams + " streams reset or waiting at the upstream for window")
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                long now = upstream.dataBytes();
                upstream.roundTrip();
                boolean still = now == sent[0] && now == upstream.dataBytes();
                sent[0] = now;
                return still && attacker.resets().size() + upstream.blockedStreams() == streams;
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "not settled: "
              + attacker.resets().size()
              + " reset, "
              + upstream.blockedStreams()
              + " blocked at the upstream, "
              + upstream.dataBytes()
              + " bytes sent, upstream resets "
              + upstream.resets()
              + "\n"
              + upstream.describe(),
          e);
    }
  }

  /** A 1 MiB GET over HTTP/1.1 on a connection of its own: the body's length. */
  private static int normalGet(int port) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET " + ONE_MIB + " HTTP/1.1\r\nHost: sluice.test\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      Http1Client.Response response = Http1Client.readResponse(in);
      assertThat(response.status()).isEqualTo(200);
      return response.body().length;
    }
  }

  private static long refusals(Sidecar sidecar, String reason) {
    Matcher counted =
        Pattern.compile("sluice_downstream_refusals_total\\{reason=\"" + reason + "\"\\} ([0-9.]+)")
            .matcher(sidecar.metrics().registry().scrape());
    return counted.find() ? (long) Double.parseDouble(counted.group(1)) : 0;
  }

  /** The most {@link CountingAllocator#liveBytes()} seen, sampled every 20 ms. */
  private static final class PeakSampler implements AutoCloseable {
    private final AtomicLong peak = new AtomicLong();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

    PeakSampler(CountingAllocator allocator) {
      sampler.scheduleAtFixedRate(
          () -> peak.accumulateAndGet(allocator.liveBytes(), Math::max),
          0,
          20,
          TimeUnit.MILLISECONDS);
    }

    long peak() {
      return peak.get();
    }

    @Override
    public void close() {
      sampler.shutdownNow();
    }
  }

  /**
   * A raw HTTP/2 client that never sends WINDOW_UPDATE unless told to; a thread reads (and so
   * drains the socket: its windows, not TCP, hold the sidecar back) and records DATA bytes, ends
   * and resets per stream.
   */
  private static final class Attacker implements AutoCloseable {
    private final RawHttp2 client;
    private final Map<Integer, Long> data = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> resets = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> ended = new ConcurrentHashMap<>();
    private final Map<Integer, Long> resetAt = new ConcurrentHashMap<>();
    private final AtomicInteger pings = new AtomicInteger();
    private final Thread reader;
    private volatile boolean closed;
    private volatile RawHttp2.@Nullable Frame goAway;

    Attacker(int port, int initialWindow) throws IOException {
      client = RawHttp2.withInitialWindow(port, initialWindow);
      client.readTimeout(Duration.ofSeconds(60));
      reader = new Thread(this::read, "attacker-reader");
      reader.setDaemon(true);
      reader.start();
    }

    private void read() {
      try {
        RawHttp2.Frame frame;
        while ((frame = client.next()) != null) {
          switch (frame.type()) {
            case RawHttp2.DATA ->
                data.merge(frame.stream(), (long) frame.payload().length, Long::sum);
            case RawHttp2.RST_STREAM -> {
              resetAt.put(frame.stream(), System.nanoTime());
              resets.put(frame.stream(), frame.errorCode());
            }
            case RawHttp2.PING -> pings.incrementAndGet();
            case RawHttp2.GOAWAY -> goAway = frame;
            default -> {}
          }
          if (frame.endStream()) {
            ended.put(frame.stream(), true);
          }
        }
      } catch (IOException ignored) {
        // the test closed the connection
      }
      closed = true;
    }

    /** The error code of the GOAWAY received, or -1. */
    int goAwayCode() {
      RawHttp2.Frame frame = goAway;
      return frame == null ? -1 : frame.errorCode();
    }

    /** True once the connection closed (the sidecar closed it, or the test did). */
    boolean closed() {
      return closed;
    }

    void get(int stream, String path) throws IOException {
      client.get(stream, path);
    }

    void windowUpdate(int stream, int bytes) throws IOException {
      client.frame(
          RawHttp2.WINDOW_UPDATE,
          0,
          stream,
          new byte[] {
            (byte) (bytes >>> 24), (byte) (bytes >>> 16), (byte) (bytes >>> 8), (byte) bytes
          });
    }

    /** A PING and its ACK: the sidecar's loop has handled everything sent before it. */
    void ping() throws IOException {
      int before = pings.get();
      client.frame(RawHttp2.PING, 0, 0, new byte[8]);
      Awaitility.await("PING ACK").atMost(Duration.ofSeconds(5)).until(() -> pings.get() > before);
    }

    long dataBytes(int stream) {
      return data.getOrDefault(stream, 0L);
    }

    Map<Integer, Integer> resets() {
      return resets;
    }

    /** When the reset of {@code stream} was read (nanoTime). */
    long resetAt(int stream) {
      return resetAt.get(stream);
    }

    boolean ended(int stream) {
      return ended.containsKey(stream);
    }

    @Override
    public void close() throws IOException {
      client.close();
    }
  }
}
