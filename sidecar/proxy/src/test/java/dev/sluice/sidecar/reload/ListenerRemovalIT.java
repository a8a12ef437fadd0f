package dev.sluice.sidecar.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.Sidecar;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.testing.Http1Client;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.testing.TestTls;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Invariant: removing a listener while one of its connections carries a request never stalls the
 * sidecar — when the request ends, the old listener and its connections close without blocking the
 * event loop that serves them (with one I/O thread, a blocking close there waited for itself).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a stalled event loop fails, never hangs the build
class ListenerRemovalIT {
  static String config(String listener, String upstream) {
    return """
        version: 1
        revision: %s
        admin: {address: 127.0.0.1:0}
        listeners: [{name: %s, address: 127.0.0.1:0}]
        rules:
          - name: all
            listener: %s
            upstream: {endpoints: [%s]}
        """
        .formatted(listener, listener, listener, upstream);
  }

  /** The same over TLS: an HTTPS listener with the test certificate. */
  static String tlsConfig(String listener, String upstream) {
    return config(listener, upstream)
        .replace(
            "address: 127.0.0.1:0}]",
            "address: 127.0.0.1:0, protocol: HTTPS, tls: {certificateFile: "
                + TestTls.certificateFile()
                + ", privateKeyFile: "
                + TestTls.privateKeyFile()
                + "}}]");
  }

  static Socket tls(int port) throws Exception {
    Socket socket = Http1Client.open("127.0.0.1", port, true);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** The sidecar still serves: a GET on {@code listener}'s port answers 200. */
  static void stillServes(Sidecar sidecar, String listener, boolean tls) throws Exception {
    int port = sidecar.listenerAddresses().get(listener).getPort();
    try (Socket socket = tls ? tls(port) : new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write("GET /after HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(status(socket)).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void aRemovedTlsListenerWithAnIdleKeptAliveConnectionClosesWithoutStallingTheSidecar()
      throws Exception {
    try (RecordingUpstream upstream = RecordingUpstream.http1();
        Sidecar sidecar =
            new Sidecar(1)
                .start(SidecarConfigCodec.readYaml(tlsConfig("first", upstream.address()), "t"));
        Socket idle = tls(sidecar.listenerAddresses().get("first").getPort())) {
      idle.getOutputStream()
          .write("GET /before HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(
              new BufferedReader(
                      new InputStreamReader(idle.getInputStream(), StandardCharsets.US_ASCII))
                  .readLine())
          .startsWith("HTTP/1.1 200");
      // The listener goes away while a kept-alive TLS connection is idle on it.
      assertThat(
              sidecar
                  .reload(
                      () ->
                          SidecarConfigCodec.readYaml(tlsConfig("second", upstream.address()), "t"))
                  .get(10, TimeUnit.SECONDS)
                  .outcome())
          .isEqualTo(SidecarReport.Outcome.Applied);
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sidecar.lastReport().drain() != null);
      stillServes(sidecar, "second", true);
    }
  }

  static String status(Socket socket) throws Exception {
    return new BufferedReader(
            new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
        .readLine();
  }

  @Test
  void aRemovedListenerWithAnIdleKeptAliveConnectionClosesWithoutStallingTheSidecar()
      throws Exception {
    try (RecordingUpstream upstream = RecordingUpstream.http1();
        Sidecar sidecar =
            new Sidecar(1)
                .start(SidecarConfigCodec.readYaml(config("first", upstream.address()), "t"));
        Socket idle = new Socket("127.0.0.1", sidecar.listenerAddresses().get("first").getPort())) {
      idle.setSoTimeout(10_000);
      idle.getOutputStream()
          .write("GET /before HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      BufferedReader idleReader =
          new BufferedReader(
              new InputStreamReader(idle.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(idleReader.readLine()).startsWith("HTTP/1.1 200");
      SidecarReport report =
          sidecar
              .reload(() -> SidecarConfigCodec.readYaml(config("second", upstream.address()), "t"))
              .get(10, TimeUnit.SECONDS);
      assertThat(report.outcome()).isEqualTo(SidecarReport.Outcome.Applied);
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sidecar.lastReport().drain() != null);
      stillServes(sidecar, "second", false);
    }
  }

  @Test
  void aRemovedListenerWithARequestInFlightClosesWithoutStallingTheSidecar() throws Exception {
    try (RecordingUpstream slow = RecordingUpstream.http1Slow(64 * 1024);
        Sidecar sidecar =
            new Sidecar(1)
                .start(SidecarConfigCodec.readYaml(config("first", slow.address()), "t"))) {
      int first = sidecar.listenerAddresses().get("first").getPort();
      byte[] body = new byte[128 * 1024];
      CompletableFuture<String> upload =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket socket = new Socket("127.0.0.1", first)) {
                  socket.setSoTimeout(20_000);
                  OutputStream out = socket.getOutputStream();
                  out.write(
                      ("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: "
                              + body.length
                              + "\r\n\r\n")
                          .getBytes(StandardCharsets.US_ASCII));
                  out.write(body);
                  out.flush();
                  return status(socket);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      var old = sidecar.generation();
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> old.inFlight().active() == 1);
      SidecarReport report =
          sidecar
              .reload(() -> SidecarConfigCodec.readYaml(config("second", slow.address()), "t"))
              .get(10, TimeUnit.SECONDS);
      assertThat(report.outcome()).isEqualTo(SidecarReport.Outcome.Applied);
      assertThat(upload.get(20, TimeUnit.SECONDS)).startsWith("HTTP/1.1 200");
      // The request's end finished the drain on the event loop; the sidecar must still serve.
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sidecar.lastReport().drain() != null);
      stillServes(sidecar, "second", false);
    }
  }
}
