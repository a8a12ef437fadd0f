package dev.sluice.sidecar.downstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.sluice.sidecar.testing.Http1Client;
import dev.sluice.sidecar.testing.RawHttp2;
import dev.sluice.sidecar.testing.RunningSidecar;
import dev.sluice.sidecar.testing.SchedulingLateness;
import dev.sluice.sidecar.testing.ScriptedUpstream;
import dev.sluice.sidecar.transport.Transport;
import io.micrometer.core.instrument.Counter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invariant: a client connection that goes silent is not kept. A head that does not complete within
 * the listener's headerReadTimeout gets 408 and the close (HTTP/2 without its preface: GOAWAY and
 * the close); a connection with nothing in flight closes after idleTimeout (HTTP/2: GOAWAY NO_ERROR
 * first); response bytes a client leaves unread for stalledWriteTimeout end its connection (HTTP/2:
 * the stream, CANCEL); past maxConnections a new connection is closed at accept. Uploads, responses
 * and requests in flight that keep moving are never cut by any of it.
 */
class SlowClientIT {
  static final long LIMIT_MILLIS = 300;

  /**
   * Hand-offs between the sidecar's event loop, the kernel and this thread; the machine's own
   * lateness, as measured during the test, is added to it (never a wider fixed bound).
   */
  static final long MARGIN_MILLIS = 200;

  static final int BIG = 4 << 20;

  /**
   * The burst's listener: a header-read limit longer than opening 200 connections takes on a loaded
   * machine, so every accept happened before the first deadline and each connection's deadline is
   * measured from a start the test knows (the limit runs from the sidecar's accept).
   */
  static final long BURST_LIMIT_MILLIS = 3000;

  static ScriptedUpstream upstream;
  static RunningSidecar sidecar;
  SchedulingLateness lateness;

  @BeforeAll
  static void start() throws Exception {
    upstream = new ScriptedUpstream(SlowClientIT::serve);
    sidecar =
        new RunningSidecar(
            """
            version: 1
            admin: {address: 127.0.0.1:0}
            listeners:
              - name: http
                address: 127.0.0.1:0
                limits: {headerReadTimeout: %1$dms, idleTimeout: %1$dms, stalledWriteTimeout: %1$dms}
              - name: burst
                address: 127.0.0.1:0
                limits: {headerReadTimeout: %3$dms}
            rules:
              - name: stalls
                listener: http
                matches: [{path: {type: Prefix, value: /stall}}]
                upstream: {protocol: http1, endpoints: [%2$s]}
                timeouts: {idle: %1$dms}
              - name: r
                listener: http
                upstream: {protocol: http1, endpoints: [%2$s]}
              - name: b
                listener: burst
                upstream: {protocol: http1, endpoints: [%2$s]}
            """
                .formatted(LIMIT_MILLIS, upstream.address(), BURST_LIMIT_MILLIS));
  }

  @AfterAll
  static void stop() throws IOException {
    sidecar.close();
    upstream.close();
  }

  @BeforeEach
  void measure() {
    lateness = SchedulingLateness.start();
  }

  @AfterEach
  void stopMeasuring() {
    lateness.close();
  }

  /**
   * The upstream, one keep-alive connection at a time: {@code /big/N} answers N bytes of a known
   * pattern, {@code /slow/MS} answers after MS milliseconds, a POST answers how many body bytes it
   * read, anything else {@code ok}.
   */
  static void serve(InputStream in, OutputStream out) throws IOException, InterruptedException {
    while (true) {
      String head = ScriptedUpstream.readHead(in);
      if (!head.endsWith("\r\n\r\n")) {
        return; // the sidecar closed the connection
      }
      String path = head.split(" ", 3)[1];
      int declared = contentLength(head);
      if (declared > 0) {
        byte[] body = in.readNBytes(declared);
        if (body.length < declared) {
          return; // cut by the sidecar before the body's end
        }
        answer(out, Integer.toString(body.length));
      } else if (path.startsWith("/big/")) {
        int size = Integer.parseInt(path.substring("/big/".length()));
        ScriptedUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n");
        byte[] block = new byte[64 * 1024];
        for (int sent = 0; sent < size; sent += block.length) {
          for (int i = 0; i < block.length; i++) {
            block[i] = pattern(sent + i);
          }
          out.write(block, 0, Math.min(block.length, size - sent));
        }
        out.flush();
      } else if (path.startsWith("/slow/")) {
        long millis = Long.parseLong(path.substring("/slow/".length()));
        Thread.sleep(millis); // scripted peer: answers late on purpose
        answer(out, "ok");
      } else {
        answer(out, "ok");
      }
    }
  }

  static byte pattern(int offset) {
    return (byte) (offset % 251);
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    return 0;
  }

  private static void answer(OutputStream out, String body) throws IOException {
    ScriptedUpstream.write(
        out, "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
  }

  private static int port() {
    return port(sidecar);
  }

  private static int port(RunningSidecar running) {
    return running.sidecar().listenerAddresses().get("http").getPort();
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(5_000);
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: a.example\r\n\r\n";
  }

  private static double count(RunningSidecar running, String name, String... tags) {
    Counter counter = running.sidecar().metrics().registry().find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  private static double timeouts(String kind) {
    return count(sidecar, "sluice_downstream_timeouts", "listener", "http", "kind", kind);
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  /** The latest a limit of {@code millis} may show, on this machine, during this test. */
  private long bound(long millis) {
    return millis + MARGIN_MILLIS + lateness.worstMillis();
  }

  @Test
  void aSlowlorisHeadGets408AndTheCloseAtTheHeaderReadTimeout() throws Exception {
    double before = timeouts("header_read");
    long started = System.nanoTime();
    try (Socket socket = connect(port())) {
      send(socket, "GET / HTTP/1.1\r\nHost: a.example\r\n");
      Thread.sleep(LIMIT_MILLIS / 3); // pacing: one more header line, which must not move the end
      send(socket, "X-Slow: 1\r\n");
      Http1Client.Response answer = Http1Client.readResponse(socket.getInputStream());
      int after = socket.getInputStream().read();
      long elapsed = millisSince(started);

      assertThat(answer.status()).isEqualTo(408);
      assertThat(answer.headers()).containsEntry("connection", "close");
      assertThat(new String(answer.body(), StandardCharsets.UTF_8))
          .contains("no complete request head within 300ms")
          .contains("headerReadTimeout of listener http");
      assertThat(after).as("the connection closes after the 408").isEqualTo(-1);
      assertThat(elapsed).isBetween(LIMIT_MILLIS, bound(LIMIT_MILLIS));
    }
    assertThat(timeouts("header_read")).isEqualTo(before + 1);
  }

  @Test
  void twoHundredSlowlorisConnectionsAreAllAnsweredAndClosed() throws Exception {
    double before =
        count(sidecar, "sluice_downstream_timeouts", "listener", "burst", "kind", "header_read");
    int burstPort = sidecar.sidecar().listenerAddresses().get("burst").getPort();
    int count = 200;
    long[] connected = new long[count];
    long[] closed = new long[count];
    ByteArrayOutputStream[] received = new ByteArrayOutputStream[count];
    // one selector watches them all, so each close is seen when it happens
    try (Selector selector = Selector.open()) {
      try {
        for (int i = 0; i < count; i++) {
          connected[i] = System.nanoTime();
          SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", burstPort));
          channel.write(
              ByteBuffer.wrap(
                  ("GET /" + i + " HTTP/1.1\r\nHost: a.example\r\nX-Half: ")
                      .getBytes(StandardCharsets.ISO_8859_1)));
          channel.configureBlocking(false);
          channel.register(selector, SelectionKey.OP_READ, i);
          received[i] = new ByteArrayOutputStream();
        }
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int open = count;
        while (open > 0 && System.nanoTime() < giveUp) {
          selector.select(100);
          for (SelectionKey key : selector.selectedKeys()) {
            int i = (Integer) key.attachment();
            buffer.clear();
            int n = ((SocketChannel) key.channel()).read(buffer);
            if (n < 0) {
              closed[i] = System.nanoTime();
              key.cancel();
              key.channel().close();
              open--;
            } else {
              received[i].write(buffer.array(), 0, n);
            }
          }
          selector.selectedKeys().clear();
        }
      } finally {
        for (SelectionKey key : selector.keys()) {
          key.channel().close();
        }
      }
    }
    for (int i = 0; i < count; i++) {
      assertThat(received[i].toString(StandardCharsets.ISO_8859_1))
          .as("connection %d", i)
          .startsWith("HTTP/1.1 408 ");
      assertThat(closed[i]).as("connection %d closed", i).isNotZero();
      assertThat(TimeUnit.NANOSECONDS.toMillis(closed[i] - connected[i]))
          .as("connection %d closed at its own deadline", i)
          .isBetween(BURST_LIMIT_MILLIS, bound(BURST_LIMIT_MILLIS));
    }
    assertThat(
            count(
                sidecar, "sluice_downstream_timeouts", "listener", "burst", "kind", "header_read"))
        .isEqualTo(before + count);
  }

  @Test
  void aConnectionThatSendsNothingIsClosedWithoutAnAnswer() throws Exception {
    double before = timeouts("header_read");
    long started = System.nanoTime();
    try (Socket socket = connect(port())) {
      // the protocol is unknown (HTTP/1.1 or h2c): nothing to answer in, just the close
      assertThat(socket.getInputStream().readAllBytes()).isEmpty();
      assertThat(millisSince(started)).isBetween(LIMIT_MILLIS, bound(LIMIT_MILLIS));
    }
    assertThat(timeouts("header_read")).isEqualTo(before + 1);
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedQuietlyAfterTheIdleTimeout() throws Exception {
    double before = timeouts("idle");
    try (Socket socket = connect(port())) {
      send(socket, get("/small"));
      Http1Client.Response answer = Http1Client.readResponse(socket.getInputStream());
      long answered = System.nanoTime();
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.headers()).doesNotContainKey("connection");

      assertThat(socket.getInputStream().read()).as("closed, nothing said").isEqualTo(-1);
      // The timer starts as the response leaves, a little before this thread reads it.
      assertThat(millisSince(answered)).isBetween(LIMIT_MILLIS / 2, bound(LIMIT_MILLIS));
    }
    assertThat(timeouts("idle")).isEqualTo(before + 1);
  }

  @Test
  void requestsInFlightAndUploadsThatKeepMovingOutliveEveryListenerLimit() throws Exception {
    double before = timeouts("idle") + timeouts("header_read") + timeouts("stalled_write");
    try (Socket socket = connect(port())) {
      // an answer three limits late, then a second request on the same connection
      send(socket, get("/slow/" + 3 * LIMIT_MILLIS));
      Http1Client.Response slow = Http1Client.readResponse(socket.getInputStream());
      assertThat(slow.status()).isEqualTo(200);
      assertThat(slow.body()).asString().isEqualTo("ok");

      // an upload with pauses longer than every listener limit between its chunks
      byte[] chunk = new byte[64 * 1024];
      send(socket, "POST /upload HTTP/1.1\r\nHost: a.example\r\nContent-Length: 262144\r\n\r\n");
      for (int i = 0; i < 4; i++) {
        Thread.sleep(LIMIT_MILLIS + 100); // pacing: a pause past the listener's limits
        socket.getOutputStream().write(chunk);
        socket.getOutputStream().flush();
      }
      Http1Client.Response upload = Http1Client.readResponse(socket.getInputStream());
      assertThat(upload.status()).isEqualTo(200);
      assertThat(upload.body()).asString().isEqualTo("262144");
    }
    assertThat(timeouts("idle") + timeouts("header_read") + timeouts("stalled_write"))
        .isEqualTo(before);
  }

  @Test
  void aBodyThatStopsHalfWayIsTheRoutesIdleTimeout504() throws Exception {
    try (Socket socket = connect(port())) {
      long started = System.nanoTime();
      send(
          socket,
          "POST /stall/upload HTTP/1.1\r\nHost: a.example\r\nContent-Length: 1000\r\n\r\n"
              + "0123456789");
      Http1Client.Response answer = Http1Client.readResponse(socket.getInputStream());
      long answeredAfter = millisSince(started);
      assertThat(answer.status()).isEqualTo(504);
      assertThat(answer.body())
          .asString()
          .contains("no body bytes moved for 300ms (idle timeout of rule stalls)");
      assertThat(answeredAfter).isBetween(LIMIT_MILLIS, bound(LIMIT_MILLIS));
      // the rest of the body is read and discarded for at most the linger, then the close
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
      assertThat(millisSince(started))
          .isLessThanOrEqualTo(bound(LIMIT_MILLIS + Http1Downstream.LINGER_MILLIS));
    }
  }

  @Test
  void aClientThatStopsReadingALargeResponseIsCutAtTheStalledWriteTimeout() throws Exception {
    double before = timeouts("stalled_write");
    try (Socket socket = smallWindowSocket()) {
      send(socket, get("/big/" + BIG));
      InputStream in = socket.getInputStream();
      assertThat(ScriptedUpstream.readHead(in)).startsWith("HTTP/1.1 200");
      int read = in.readNBytes(64 * 1024).length; // the response flows; then the client stops
      long stopped = System.nanoTime();
      long[] cutAfter = new long[1];
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(5))
          .until(
              () -> {
                cutAfter[0] = millisSince(stopped);
                return timeouts("stalled_write") > before;
              });
      int rest = readRest(in);
      // at least the limit of silence, at most a quarter more (the watch looks four times a limit)
      assertThat(cutAfter[0]).isBetween(LIMIT_MILLIS, bound(LIMIT_MILLIS * 5 / 4));
      assertThat(read + rest).as("bytes before the cut").isLessThan(BIG);
    }
    assertThat(timeouts("stalled_write")).isEqualTo(before + 1);
  }

  @Test
  void aSlowReaderThatKeepsReadingIsNotCut() throws Exception {
    // Under NIO the proxy sees only what it hands the kernel, which wakes it once a third of its
    // buffer drained: there, a reader this slow is judged on a coarser signal (documented).
    assumeThat(Transport.best()).isEqualTo(Transport.EPOLL);
    double before = timeouts("stalled_write");
    try (Socket socket = smallWindowSocket()) {
      send(socket, get("/big/" + BIG));
      // 2 KiB every 30 ms for several limits: the sidecar's socket stays unwritable all along (its
      // kernel buffer, megabytes on loopback, wakes the writer only once a third of it drained),
      // yet the kernel sends what the client's window lets it; then the rest at full speed
      long slowUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(6 * LIMIT_MILLIS);
      assertThat(readBody(socket, BIG, 2 * 1024, 30, slowUntil)).isEqualTo(BIG);
    }
    assertThat(timeouts("stalled_write")).isEqualTo(before);
  }

  /** Reads until the close (or a reset); returns how many bytes came. */
  private static int readRest(InputStream in) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    int total = 0;
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        total += n;
      }
    } catch (SocketException reset) {
      // the sidecar closed with the response's rest unsent: what arrived is what counts
    }
    return total;
  }

  /** A socket whose receive window stays small, so the sidecar's writes back up quickly. */
  private static Socket smallWindowSocket() throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(8 * 1024);
    socket.connect(new InetSocketAddress("127.0.0.1", port()));
    socket.setSoTimeout(5_000);
    return socket;
  }

  /**
   * Reads a {@code /big} response, {@code chunk} bytes at a time with {@code pauseMillis} between
   * reads until {@code slowUntil} (a nanoTime), then at full speed; returns how many body bytes
   * arrived, each checked against the pattern, until the end or the close.
   */
  private static int readBody(Socket socket, int size, int chunk, long pauseMillis, long slowUntil)
      throws Exception {
    InputStream in = socket.getInputStream();
    String head = ScriptedUpstream.readHead(in);
    if (!head.startsWith("HTTP/1.1 200")) {
      return 0;
    }
    assertThat(head).containsIgnoringCase("content-length: " + size);
    byte[] buffer = new byte[chunk];
    int received = 0;
    while (received < size) {
      int n;
      try {
        n = in.read(buffer, 0, Math.min(buffer.length, size - received));
      } catch (SocketException reset) {
        return received;
      }
      if (n < 0) {
        return received;
      }
      for (int i = 0; i < n; i++) {
        if (buffer[i] != pattern(received + i)) {
          throw new AssertionError("byte " + (received + i) + " differs");
        }
      }
      received += n;
      if (System.nanoTime() < slowUntil) {
        Thread.sleep(pauseMillis); // pacing: a slow reader, but one that keeps reading
      }
    }
    return received;
  }

  @Test
  void anIdleH2cConnectionGetsGoAwayNoErrorThenTheClose() throws Exception {
    double before = timeouts("idle");
    try (RawHttp2 h2 = new RawHttp2(port())) {
      h2.headers(
          1, true, ":method", "GET", ":scheme", "http", ":path", "/small", ":authority", "a");
      RawHttp2.StreamOutcome outcome = h2.await(1);
      long answered = System.nanoTime();
      assertThat(outcome.ended()).isTrue();
      assertThat(outcome.body()).isEqualTo("ok");

      RawHttp2.Frame frame;
      do {
        frame = h2.next();
      } while (frame != null && frame.type() != RawHttp2.GOAWAY);
      long goAwayAfter = millisSince(answered);
      assertThat(frame).as("a GOAWAY before the close").isNotNull();
      assertThat(frame.errorCode()).isEqualTo(RawHttp2.NO_ERROR);
      assertThat(goAwayAfter).isBetween(LIMIT_MILLIS / 2, bound(LIMIT_MILLIS));
      assertThat(h2.next()).as("then the close").isNull();
      assertThat(h2.timedOut()).isFalse();
    }
    assertThat(timeouts("idle")).isEqualTo(before + 1);
  }

  @Test
  void anH2cPrefaceWithoutSettingsGetsGoAwayThenTheClose() throws Exception {
    double before = timeouts("header_read");
    long started = System.nanoTime();
    try (RawHttp2 h2 = new RawHttp2(port(), false)) {
      RawHttp2.Frame frame;
      do {
        frame = h2.next();
      } while (frame != null && frame.type() != RawHttp2.GOAWAY);
      assertThat(frame).as("a GOAWAY before the close").isNotNull();
      assertThat(new String(frame.payload(), 8, frame.payload().length - 8, StandardCharsets.UTF_8))
          .isEqualTo(
              "no HTTP/2 preface and SETTINGS within 300ms (headerReadTimeout of listener http)");
      assertThat(millisSince(started)).isBetween(LIMIT_MILLIS, bound(LIMIT_MILLIS));
      assertThat(h2.next()).as("then the close").isNull();
      assertThat(h2.timedOut()).isFalse();
    }
    assertThat(timeouts("header_read")).isEqualTo(before + 1);
  }

  @Test
  void anH2StreamWhoseWindowStaysShutIsResetWithCancelAndTheOthersGoOn() throws Exception {
    double before = timeouts("stalled_write");
    try (RawHttp2 h2 = new RawHttp2(port())) {
      h2.windowUpdate(0, 16 << 20); // the connection's window stays open: stream 1's alone runs out
      h2.headers(
          1, true, ":method", "GET", ":scheme", "http", ":path", "/big/" + BIG, ":authority", "a");
      int received = 0;
      while (received < 65_535) { // the stream's initial window, never updated
        RawHttp2.Frame frame = h2.next();
        assertThat(frame).as("data of stream 1").isNotNull();
        if (frame.type() == RawHttp2.DATA && frame.stream() == 1) {
          received += frame.payload().length;
        }
      }
      long windowShut = System.nanoTime();

      h2.headers(
          3, true, ":method", "GET", ":scheme", "http", ":path", "/small", ":authority", "a");
      RawHttp2.StreamOutcome other = h2.await(3);
      assertThat(other.ended()).as("another stream is served meanwhile").isTrue();
      assertThat(other.body()).isEqualTo("ok");

      RawHttp2.StreamOutcome stalled = h2.await(1);
      long resetAfter = millisSince(windowShut);
      assertThat(stalled.resetCode()).isEqualTo(RawHttp2.CANCEL);
      assertThat(resetAfter).isBetween(LIMIT_MILLIS - 50, bound(LIMIT_MILLIS * 5 / 4));
    }
    assertThat(timeouts("stalled_write")).isEqualTo(before + 1);
  }

  @Test
  void anH2StreamWhoseWindowOpensALittleAtATimeIsNotCut() throws Exception {
    double before = timeouts("stalled_write");
    int updates = 12;
    int size = 65_535 + updates * 4096;
    try (RawHttp2 h2 = new RawHttp2(port())) {
      h2.windowUpdate(0, 16 << 20);
      h2.headers(
          1, true, ":method", "GET", ":scheme", "http", ":path", "/big/" + size, ":authority", "a");
      int received = 0;
      int given = 0;
      long started = System.nanoTime();
      while (received < size) {
        RawHttp2.Frame frame = h2.next();
        assertThat(frame).as("stream 1 goes on after %d bytes", received).isNotNull();
        assertThat(frame.type()).as("stream 1 is not reset").isNotEqualTo(RawHttp2.RST_STREAM);
        if (frame.type() == RawHttp2.DATA && frame.stream() == 1) {
          received += frame.payload().length;
          if (received == 65_535 + given * 4096 && given < updates) {
            Thread.sleep(LIMIT_MILLIS / 3); // pacing: a window that opens slowly, but opens
            h2.windowUpdate(1, 4096);
            given++;
          }
        }
      }
      assertThat(millisSince(started))
          .as("the response spanned several stalled-write limits")
          .isGreaterThan(3 * LIMIT_MILLIS);
    }
    assertThat(timeouts("stalled_write")).isEqualTo(before);
  }

  @Test
  void pastMaxConnectionsANewConnectionIsClosedAtOnceAndTheOpenOnesAreServed() throws Exception {
    try (RunningSidecar capped =
        new RunningSidecar(
            """
            version: 1
            admin: {address: 127.0.0.1:0}
            listeners: [{name: http, address: 127.0.0.1:0, limits: {maxConnections: 3}}]
            rules: [{name: r, listener: http, upstream: {endpoints: [%s]}}]
            """
                .formatted(upstream.address()))) {
      List<Socket> open = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          Socket socket = connect(port(capped));
          open.add(socket);
          send(socket, get("/small"));
          assertThat(Http1Client.readResponse(socket.getInputStream()).status()).isEqualTo(200);
        }
        try (Socket refused = connect(port(capped))) {
          assertThat(refusedAtOnce(refused)).as("the fourth connection").isTrue();
        }
        assertThat(count(capped, "sluice_downstream_connections_refused", "listener", "http"))
            .isEqualTo(1);
        for (Socket socket : open) {
          send(socket, get("/small"));
          assertThat(Http1Client.readResponse(socket.getInputStream()).status())
              .as("the open ones are served as before")
              .isEqualTo(200);
        }
        open.remove(0).close();
        // the sidecar counts the close out on its event loop: a new connection is served soon
        Awaitility.await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () -> {
                  try (Socket again = connect(port(capped))) {
                    send(again, get("/small"));
                    return Http1Client.readResponse(again.getInputStream()).status() == 200;
                  } catch (IOException refused) {
                    return false;
                  }
                });
      } finally {
        for (Socket socket : open) {
          socket.close();
        }
      }
    }
  }

  /** True when the connection ends without an answer to a request (EOF or reset). */
  private static boolean refusedAtOnce(Socket socket) {
    try {
      send(socket, get("/small"));
      return socket.getInputStream().read() == -1;
    } catch (IOException reset) {
      return true;
    }
  }
}
