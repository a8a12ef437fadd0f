package dev.sluice.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.OperatingSystemMXBean;
import dev.sluice.sidecar.testing.Http1Client;
import dev.sluice.sidecar.testing.ScriptedUpstream;
import dev.sluice.sidecar.testing.StandaloneJar;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant: {@code java -jar sluice-sidecar.jar} without JVM options runs the sidecar in the
 * sidecar's JVM (its heap, serial GC), says so at startup, and still reloads on SIGHUP and drains
 * and exits 0 on SIGTERM; a heap option or {@code SLUICE_JVM_DEFAULTS=off} keeps the JVM as
 * started.
 */
class StandaloneMemoryIT {
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final Pattern HEAP = Pattern.compile("JVM max heap (\\d+) MiB, (\\w+) GC \\((.*)\\)");

  @TempDir Path dir;
  ScriptedUpstream upstream;
  final CountDownLatch release = new CountDownLatch(1);
  final CountDownLatch held = new CountDownLatch(1);

  @BeforeEach
  void upstream() throws IOException {
    // answers /held only once the test releases it; anything else at once
    upstream =
        new ScriptedUpstream(
            (in, out) -> {
              String head;
              while ((head = ScriptedUpstream.readHead(in)).endsWith("\r\n\r\n")) {
                if (head.startsWith("GET /held ")) {
                  held.countDown();
                  release.await(30, TimeUnit.SECONDS);
                }
                ScriptedUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
              }
            });
  }

  @AfterEach
  void stopUpstream() throws IOException {
    release.countDown();
    upstream.close();
  }

  private Path config(String revision) throws IOException {
    Path file = dir.resolve("sidecar.yaml");
    Files.writeString(
        file,
        """
        version: 1
        revision: %s
        admin: {address: 127.0.0.1:0}
        listeners: [{name: http, address: 127.0.0.1:0}]
        rules: [{name: r, listener: http, upstream: {endpoints: [%s]}}]
        """
            .formatted(revision, upstream.address()));
    return file;
  }

  private static String get(int port, String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** The startup line about the JVM's memory, from the lines printed before listening. */
  private static Matcher heapLine(List<String> startup) {
    for (String line : startup) {
      Matcher m = HEAP.matcher(line);
      if (m.find()) {
        return m;
      }
    }
    throw new AssertionError("no line about the JVM's heap in " + startup);
  }

  private static long expectedHeapMiB() {
    long visible =
        ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
    return Math.max(32, Math.min(128L << 20, visible / 2) >> 20);
  }

  @Test
  void withoutOptionsTheSidecarRunsInItsOwnJvmAndStillReloadsAndDrains() throws Exception {
    Path file = config("first");
    Process launcher =
        StandaloneJar.start(
            List.of(), Map.of(), "SIG_DFL", "--config", file.toString(), "--no-watch");
    try {
      List<String> startup = new ArrayList<>();
      String started = StandaloneJar.startup(launcher, startup);
      int admin = StandaloneJar.adminPort(started);
      Matcher heap = heapLine(startup);
      assertThat(Long.parseLong(heap.group(1))).isEqualTo(expectedHeapMiB());
      assertThat(heap.group(2)).isEqualTo("serial");
      assertThat(heap.group(3))
          .startsWith("the sidecar's defaults, set by its launcher: -Xmx" + expectedHeapMiB() + "m")
          .contains("-XX:+UseSerialGC", "-XX:CICompilerCount=2", "-XX:+ExitOnOutOfMemoryError");
      List<ProcessHandle> children = launcher.toHandle().children().toList();
      assertThat(children).as("the sidecar's JVM, started by the launcher").hasSize(1);
      ProcessHandle sidecar = children.get(0);
      assertThat(sidecar.info().arguments().map(List::of).orElseThrow())
          .contains("-Xmx" + expectedHeapMiB() + "m", "-jar");

      // SIGHUP to the launcher reloads the sidecar's config file
      assertThat(get(admin, "/ready")).startsWith("ready first");
      config("second");
      StandaloneJar.signal("HUP", launcher.pid());
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> get(admin, "/ready").startsWith("ready second"));

      // SIGTERM to the launcher drains: the request in flight is answered, then exit 0
      int port = StandaloneJar.listenerPort(started, "http");
      try (Socket client = new Socket("127.0.0.1", port)) {
        client.setSoTimeout(10_000);
        client
            .getOutputStream()
            .write("GET /held HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(held.await(10, TimeUnit.SECONDS))
            .as("the request reached the upstream")
            .isTrue();
        StandaloneJar.signal("TERM", launcher.pid());
        Awaitility.await()
            .atMost(Duration.ofSeconds(10))
            .ignoreExceptionsInstanceOf(IOException.class)
            .until(() -> refuses(port));
        assertThat(launcher.isAlive()).as("still draining").isTrue();
        release.countDown();
        Http1Client.Response answer = Http1Client.readResponse(client.getInputStream());
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.headers()).containsEntry("connection", "close");
      }
      assertThat(launcher.waitFor(20, TimeUnit.SECONDS)).as("the launcher exits").isTrue();
      assertThat(launcher.exitValue()).isZero();
      assertThat(sidecar.isAlive()).as("the sidecar's JVM is gone too").isFalse();
    } finally {
      StandaloneJar.stop(launcher);
    }
  }

  @Test
  void aHeapOptionKeepsTheJvmAsStartedAndSigtermStillExitsZero() throws Exception {
    Process sidecar =
        StandaloneJar.start(
            List.of("-Xmx64m"), Map.of(), "SIG_DFL", "--config", config("first").toString());
    try {
      List<String> startup = new ArrayList<>();
      StandaloneJar.adminPort(sidecar, startup);
      Matcher heap = heapLine(startup);
      assertThat(heap.group(1)).isEqualTo("64");
      assertThat(heap.group(3)).isEqualTo("sized by the JVM's options: -Xmx64m");
      assertThat(sidecar.toHandle().children().toList()).as("no second JVM").isEmpty();
      StandaloneJar.signal("TERM", sidecar.pid());
      assertThat(sidecar.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(sidecar.exitValue()).isZero();
    } finally {
      StandaloneJar.stop(sidecar);
    }
  }

  @Test
  void theOptOutKeepsTheJvmsOwnDefaults() throws Exception {
    Process sidecar =
        StandaloneJar.start(
            List.of(),
            Map.of("SLUICE_JVM_DEFAULTS", "off"),
            "SIG_DFL",
            "--config",
            config("first").toString());
    try {
      List<String> startup = new ArrayList<>();
      StandaloneJar.adminPort(sidecar, startup);
      Matcher heap = heapLine(startup);
      assertThat(heap.group(3)).isEqualTo("the JVM's own defaults: SLUICE_JVM_DEFAULTS=off");
      assertThat(sidecar.toHandle().children().toList()).as("no second JVM").isEmpty();
    } finally {
      StandaloneJar.stop(sidecar);
    }
  }

  /** True when a new connection to {@code port} is refused (the listener stopped accepting). */
  private static boolean refuses(int port) throws IOException {
    try (Socket probe = new Socket("127.0.0.1", port)) {
      return false;
    } catch (ConnectException refused) {
      return true;
    }
  }
}
