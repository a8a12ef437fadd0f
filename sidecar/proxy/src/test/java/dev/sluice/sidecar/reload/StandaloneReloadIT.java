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
import java.util.ArrayList;
import java.util.List;
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

  /**
   * Starts the jar with SIGHUP at {@code disposition} ({@code SIG_DFL} or {@code SIG_IGN}): set by
   * a python3 exec wrapper, since a child inherits an ignored SIGHUP from whatever ran the tests
   * (nohup does that) and nothing in Java can reset it.
   */
  private Process start(String disposition, Path file, String... extra) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("python3");
    command.add("-c");
    command.add(
        "import os, signal, sys; signal.signal(signal.SIGHUP, signal."
            + disposition
            + "); os.execv(sys.argv[1], sys.argv[1:])");
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(JAR.toString());
    command.add("--config");
    command.add(file.toString());
    command.addAll(List.of(extra));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** Reads the startup line for the admin port. */
  private static int adminPort(Process sidecar) throws Exception {
    return adminPort(sidecar, new ArrayList<>());
  }

  /** As above, keeping the lines printed before the startup line in {@code before}. */
  private static int adminPort(Process sidecar, List<String> before) throws Exception {
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
                  if (!m.find()) {
                    before.add(line);
                  } else {
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
          .contains("rules[0].upstream.endpoints[0]");
      assertThat(sidecar.isAlive()).isTrue();
    } finally {
      sidecar.destroy();
      sidecar.waitFor(10, TimeUnit.SECONDS);
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
      new ProcessBuilder("kill", "-HUP", Long.toString(sidecar.pid())).start().waitFor();
      assertThat(get(admin, "/ready")).startsWith("ready first");
      assertThat(post(admin, "/reload")).contains("second");
      assertThat(get(admin, "/ready")).startsWith("ready second");
      assertThat(sidecar.isAlive()).isTrue();
    } finally {
      sidecar.destroy();
      sidecar.waitFor(10, TimeUnit.SECONDS);
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
      sidecar.destroy();
      sidecar.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
