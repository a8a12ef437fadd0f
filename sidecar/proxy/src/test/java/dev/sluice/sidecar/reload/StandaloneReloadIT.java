package dev.sluice.sidecar.reload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant: the standalone sidecar (the shaded jar, as users run it) reloads its config file on
 * SIGHUP and on a file change, and keeps the running config when the file becomes invalid.
 */
class StandaloneReloadIT {
  static final Path JAR =
      Path.of(System.getProperty("sluice.root", "."), "sidecar/proxy/target/sluice-sidecar.jar");
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private static String config(String revision) {
    return """
        version: 1
        revision: %s
        admin: {address: 127.0.0.1:0}
        listeners: [{name: http, address: 127.0.0.1:0}]
        routes:
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
    String[] command = new String[5 + extra.length];
    command[0] = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    command[1] = "-jar";
    command[2] = JAR.toString();
    command[3] = "--config";
    command[4] = file.toString();
    System.arraycopy(extra, 0, command, 5, extra.length);
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** Reads the startup line for the admin port. */
  private static int adminPort(Process sidecar) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(sidecar.getInputStream(), StandardCharsets.UTF_8));
    Pattern admin = Pattern.compile("admin http://[^:]+:(\\d+)/ready");
    CompletableFuture<Integer> port =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                String line;
                while ((line = out.readLine()) != null) {
                  Matcher m = admin.matcher(line);
                  if (m.find()) {
                    int found = Integer.parseInt(m.group(1));
                    // keep draining so the process never blocks on a full pipe
                    CompletableFuture.runAsync(
                        () -> {
                          try {
                            while (out.readLine() != null) {
                              // discard
                            }
                          } catch (java.io.IOException ignored) {
                            // process ended
                          }
                        });
                    return found;
                  }
                }
              } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
              }
              throw new IllegalStateException("the sidecar exited before listening");
            });
    return port.get(30, TimeUnit.SECONDS);
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
      new ProcessBuilder("kill", "-HUP", Long.toString(sidecar.pid())).start().waitFor();
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> get(admin, "/ready").startsWith("ready second"));
      Files.writeString(file, config("third").replace("127.0.0.1:9", "nowhere:0"));
      new ProcessBuilder("kill", "-HUP", Long.toString(sidecar.pid())).start().waitFor();
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> get(admin, "/config").contains("lastRejection"));
      assertThat(get(admin, "/config"))
          .startsWith("{\"revision\":\"second\"")
          .contains("routes[0].upstream.endpoints[0]");
      assertThat(sidecar.isAlive()).isTrue();
    } finally {
      sidecar.destroy();
      sidecar.waitFor(10, TimeUnit.SECONDS);
    }
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
      sidecar.destroy();
      sidecar.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
