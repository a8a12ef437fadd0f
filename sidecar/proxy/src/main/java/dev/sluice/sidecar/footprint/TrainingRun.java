package dev.sluice.sidecar.footprint;

import dev.sluice.sidecar.Sidecar;
import dev.sluice.sidecar.accesslog.AccessLogFormat;
import dev.sluice.sidecar.accesslog.AccessLogOutput;
import dev.sluice.sidecar.accesslog.AccessLogWriter;
import dev.sluice.sidecar.config.InvalidConfigException;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.transport.Io;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code --training-run}: the sidecar serves a built-in config on loopback, sends itself the kinds
 * of traffic it forwards, reloads once and stops. Run as {@code java
 * -XX:ArchiveClassesAtExit=sluice-sidecar.jsa @jvm.options -jar sluice-sidecar.jar --training-run},
 * it leaves an archive of every class a serving sidecar loads; sidecars started with {@code
 * -XX:SharedArchiveFile} map those classes from that one file instead of each parsing them into
 * memory of its own (see docs/design/20261206-sidecar-footprint.md).
 *
 * <p>The traffic: HTTP/1.1 requests (GET and POST, fixed-length and chunked bodies) to a listener
 * whose rule forwards over h2c to a second listener, whose rule forwards over HTTP/1.1 to the
 * sidecar's own admin server; so both protocols on both sides, bodies both ways, the config parsed
 * as YAML and as JSON (as the config service sends it), a reload with its drain, the admin
 * endpoints and the metrics. TLS is not trained: its classes load when a listener or upstream first
 * uses it.
 */
public final class TrainingRun {
  /** Requests of each kind: enough for the classes of every path, not for the JIT. */
  static final int ROUNDS = 50;

  private final PrintWriter out;

  public TrainingRun(PrintWriter out) {
    this.out = out;
  }

  /** Runs it; returns 0 when every request was answered by the chain, 1 otherwise. */
  public int run(int threads) throws Exception {
    int[] ports = freePorts(3);
    SidecarConfig first = config(ports, "60s");
    SidecarConfig second =
        SidecarConfigCodec.readJson(
            SidecarConfigCodec.toJson(config(ports, "59s")), "the training run's second config");
    List<String> failures = new ArrayList<>();
    // The access log on, into nothing: its classes go into the archive with the rest.
    AccessLogOutput accessLog =
        new AccessLogOutput(
            new AccessLogWriter(OutputStream.nullOutputStream(), AccessLogWriter.DEFAULT_CAPACITY),
            AccessLogFormat.JSON);
    try (Sidecar sidecar = new Sidecar(threads, Io.defaults(), accessLog).start(first)) {
      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      URI front = URI.create("http://127.0.0.1:" + ports[0]);
      URI admin = URI.create("http://127.0.0.1:" + ports[2]);
      traffic(client, front, failures);
      SidecarReport reloaded = sidecar.reload(() -> second).get(30, TimeUnit.SECONDS);
      if (reloaded.outcome() != SidecarReport.Outcome.Applied) {
        failures.add("the reload was " + reloaded.outcome() + ": " + reloaded.problems());
      }
      traffic(client, front, failures);
      for (String path : List.of("/ready", "/live", "/config", "/metrics", "/reload")) {
        expect(client, HttpRequest.newBuilder(admin.resolve(path)).build(), 200, failures);
      }
      sidecar.shutdown(Duration.ofSeconds(5));
    }
    if (failures.isEmpty()) {
      out.println(
          "sluice-sidecar: training run done: "
              + (4 * ROUNDS * 2)
              + " requests forwarded over HTTP/1.1 and h2c, one reload");
      out.flush();
      return 0;
    }
    out.println("sluice-sidecar: training run failed: " + String.join("; ", failures));
    out.flush();
    return 1;
  }

  /**
   * The built-in config: listener {@code front} (HTTP/1.1 in) forwards over h2c to listener {@code
   * back}, which forwards over HTTP/1.1 to the admin server.
   */
  static SidecarConfig config(int[] ports, String timeout) throws InvalidConfigException {
    return SidecarConfigCodec.readYaml(
        """
        version: 1
        admin: {address: 127.0.0.1:%d}
        listeners:
          - {name: front, address: 127.0.0.1:%d}
          - {name: back, address: 127.0.0.1:%d}
        rules:
          - name: front
            listener: front
            upstream: {protocol: h2c, endpoints: [127.0.0.1:%d]}
            timeouts: {request: %s}
            zeroCopy: true
          - name: back
            listener: back
            upstream: {protocol: http1, endpoints: [127.0.0.1:%d]}
            timeouts: {request: %s}
        """
            .formatted(ports[2], ports[0], ports[1], ports[1], timeout, ports[2], timeout),
        "the training run's config");
  }

  private static void traffic(HttpClient client, URI front, List<String> failures)
      throws Exception {
    List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
    byte[] body = new byte[32 * 1024];
    for (int i = 0; i < ROUNDS; i++) {
      pending.add(send(client, HttpRequest.newBuilder(front.resolve("/live")).build()));
      pending.add(send(client, HttpRequest.newBuilder(front.resolve("/metrics")).build()));
      // bodies: the admin server answers 405 to anything but GET, after reading them whole
      pending.add(
          send(
              client,
              HttpRequest.newBuilder(front.resolve("/live"))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build()));
      pending.add(
          send(
              client,
              HttpRequest.newBuilder(front.resolve("/live"))
                  .POST(
                      HttpRequest.BodyPublishers.ofInputStream(
                          () -> new ByteArrayInputStream(body)))
                  .build()));
    }
    for (CompletableFuture<HttpResponse<String>> answer : pending) {
      HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
      int expected = "GET".equals(response.request().method()) ? 200 : 405;
      if (response.statusCode() != expected) {
        failures.add(
            response.request().method()
                + " "
                + response.uri().getPath()
                + ": "
                + response.statusCode()
                + " (expected "
                + expected
                + ")");
      }
    }
  }

  private static CompletableFuture<HttpResponse<String>> send(
      HttpClient client, HttpRequest request) {
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  private static void expect(
      HttpClient client, HttpRequest request, int status, List<String> failures)
      throws IOException, InterruptedException {
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != status) {
      failures.add(request.uri().getPath() + ": " + response.statusCode());
    }
  }

  /** Ports free on loopback now (bound and closed: a build step, not a server). */
  private static int[] freePorts(int count) throws IOException {
    int[] ports = new int[count];
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(socket);
        ports[i] = socket.getLocalPort();
      }
    } finally {
      for (ServerSocket socket : held) {
        socket.close();
      }
    }
    return ports;
  }
}
