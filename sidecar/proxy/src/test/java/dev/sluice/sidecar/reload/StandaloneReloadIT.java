package dev.sluice.sidecar.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.testing.StandaloneJar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant: the standalone sidecar (the shaded jar, as users run it: through its launcher, which
 * passes SIGHUP on) reloads its config file on SIGHUP and on a file change, and keeps the running
 * config when the file becomes invalid.
 */
class StandaloneReloadIT {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private static String config(String revision) {
    return """
        version: 1
        revision: %s
        admin: {address: 127.0.0.1:0}
        listeners: [{name: http, address: 127.0.0.1:0}]
        rules:
          - name: r
            listener: http
            upstream: {endpoints: [127.0.0.1:9]}
        """
        .formatted(revision);
  }

  private static String get(int port, String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private Process start(Path file, String... extra) throws Exception {
    return start("SIG_DFL", file, extra);
  }

  private Process start(String disposition, Path file, String... extra) throws Exception {
    List<String> arguments = new ArrayList<>(List.of("--config", file.toString()));
    arguments.addAll(List.of(extra));
    return StandaloneJar.start(List.of(), Map.of(), disposition, arguments.toArray(String[]::new));
  }

  private static int adminPort(Process sidecar) throws Exception {
    return StandaloneJar.adminPort(sidecar, new ArrayList<>());
  }

  private static int adminPort(Process sidecar, List<String> before) throws Exception {
    return StandaloneJar.adminPort(sidecar, before);
  }

  @Test
  void sighupReloadsTheFileAndAnInvalidFileKeepsTheRunningConfig() throws Exception {
    Path file = dir.resolve("sidecar.yaml");
    Files.writeString(file, config("first"));
    Process sidecar = start(file, "--no-watch");
    try {
      int admin = adminPort(sidecar);
      assertThat(get(admin, "/ready")).startsWith("ready first");
      Files.writeString(file, config("second"));
      // no watching: nothing happens until the signal
      assertThat(get(admin, "/ready")).startsWith("ready first");
      StandaloneJar.signal("HUP", sidecar.pid());
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> get(admin, "/ready").startsWith("ready second"));
      Files.writeString(file, config("third").replace("127.0.0.1:9", "nowhere:0"));
      StandaloneJar.signal("HUP", sidecar.pid());
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> get(admin, "/config").contains("lastRejection"));
      assertThat(get(admin, "/config"))
          .startsWith("{\"revision\":\"second\"")
          .contains("rules[0].upstream.endpoints[0]");
      assertThat(sidecar.isAlive()).isTrue();
    } finally {
      StandaloneJar.stop(sidecar);
    }
  }

  @Test
  void anIgnoredSighupIsReportedAtStartAndTheSidecarKeepsRunning() throws Exception {
    Path file = dir.resolve("sidecar.yaml");
    Files.writeString(file, config("first"));
    Process sidecar = start("SIG_IGN", file, "--no-watch");
    try {
      List<String> startup = new ArrayList<>();
      int admin = adminPort(sidecar, startup);
      assertThat(startup).anySatisfy(line -> assertThat(line).contains("SIGHUP will not reload"));
      Files.writeString(file, config("second"));
      StandaloneJar.signal("HUP", sidecar.pid());
      assertThat(get(admin, "/ready")).startsWith("ready first");
      assertThat(post(admin, "/reload")).contains("second");
      assertThat(get(admin, "/ready")).startsWith("ready second");
      assertThat(sidecar.isAlive()).isTrue();
    } finally {
      StandaloneJar.stop(sidecar);
    }
  }

  private static String post(int port, String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void aChangedFileIsReloadedWithoutASignal() throws Exception {
    Path file = dir.resolve("sidecar.yaml");
    Files.writeString(file, config("first"));
    Process sidecar = start(file);
    try {
      int admin = adminPort(sidecar);
      Files.writeString(file, config("second"));
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> get(admin, "/ready").startsWith("ready second"));
    } finally {
      StandaloneJar.stop(sidecar);
    }
  }
}
