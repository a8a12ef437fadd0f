package dev.sluice.sidecar.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.testing.Curl;
import dev.sluice.sidecar.testing.Nghttpd;
import dev.sluice.sidecar.testing.RunningSidecar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invariant: reloads are invisible to clients. 50 reloads alternating two real configs while h2load
 * keeps 200 HTTP/2 streams and 16 HTTP/1.1 connections busy and curl uploads 16 MiB bodies over
 * HTTP/1.1 (content-length and chunked) and h2c to nghttpd: every response 2xx, no stream or
 * connection reset, every upload's echo byte-identical.
 */
class ReloadStormIT {
  private static final Logger log = LoggerFactory.getLogger(ReloadStormIT.class);
  private static final Pattern REQUESTS =
      Pattern.compile(
          "requests: (\\d+) total, (\\d+) started, (\\d+) done, (\\d+) succeeded, (\\d+) failed,"
              + " (\\d+) errored, (\\d+) timeout");
  private static final Pattern STATUS =
      Pattern.compile("status codes: (\\d+) 2xx, (\\d+) 3xx, (\\d+) 4xx, (\\d+) 5xx");

  @TempDir Path dir;

  private static String config(String upstream, String revision, String requestTimeout) {
    return """
        version: 1
        revision: %s
        admin: {address: 127.0.0.1:0}
        listeners: [{name: http, address: 127.0.0.1:0}]
        rules:
          - name: echo
            listener: http
            upstream: {protocol: h2c, endpoints: [%s]}
            timeouts: {request: %s}
        """
        .formatted(revision, upstream, requestTimeout);
  }

  @Test
  void fiftyReloadsUnderLoadAreInvisible() throws Exception {
    Path docroot = Files.createDirectory(dir.resolve("docroot"));
    Files.write(docroot.resolve("small"), new byte[100]);
    byte[] big = new byte[16 << 20];
    new Random(16).nextBytes(big);
    Path bigFile = Files.write(dir.resolve("big"), big);
    String bigSha = sha256(big);
    try (Nghttpd upstream = Nghttpd.start(docroot);
        RunningSidecar sidecar = new RunningSidecar(config(upstream.address(), "storm-0", "60s"))) {
      String small = sidecar.url("/small");
      CompletableFuture<String> h2 =
          CompletableFuture.supplyAsync(
              () -> run("h2load", "-c", "4", "-m", "50", "-D", "12", small));
      CompletableFuture<String> h1 =
          CompletableFuture.supplyAsync(() -> run("h2load", "--h1", "-c", "16", "-D", "12", small));
      AtomicBoolean storming = new AtomicBoolean(true);
      AtomicInteger uploads = new AtomicInteger();
      List<String> uploadFailures = java.util.Collections.synchronizedList(new ArrayList<>());
      ExecutorService uploaders = Executors.newFixedThreadPool(3);
      List<CompletableFuture<Void>> uploading = new ArrayList<>();
      for (Curl.Mode mode : Curl.Mode.values()) {
        uploading.add(
            CompletableFuture.runAsync(
                () -> {
                  while (storming.get()) {
                    try {
                      Curl.Result result = Curl.post(mode, sidecar.url("/upload"), bigFile);
                      if (result.status() != 200 || !sha256(result.body()).equals(bigSha)) {
                        uploadFailures.add(
                            mode + ": status " + result.status() + " " + result.stderr());
                      }
                      uploads.incrementAndGet();
                    } catch (Exception e) {
                      uploadFailures.add(mode + ": " + e);
                    }
                  }
                },
                uploaders));
      }
      Thread.sleep(1000); // pacing: a second of traffic before the storm
      List<Long> swapMillis = new ArrayList<>();
      for (int i = 1; i <= 50; i++) {
        String yaml = config(upstream.address(), "storm-" + i, i % 2 == 0 ? "60s" : "61s");
        SidecarReport report =
            sidecar
                .sidecar()
                .reload(() -> SidecarConfigCodec.readYaml(yaml, "storm"))
                .get(10, TimeUnit.SECONDS);
        assertThat(report.outcome()).as("reload %d", i).isEqualTo(SidecarReport.Outcome.Applied);
        swapMillis.add(report.swapMillis());
        Thread.sleep(100); // pacing: ten reloads a second
      }
      storming.set(false);
      CompletableFuture.allOf(uploading.toArray(CompletableFuture[]::new))
          .get(120, TimeUnit.SECONDS);
      uploaders.shutdown();
      assertThat(sidecar.sidecar().generation().revision()).isEqualTo("storm-50");
      String h2out = h2.get(60, TimeUnit.SECONDS);
      String h1out = h1.get(60, TimeUnit.SECONDS);
      String problems =
          sidecar
              .sidecar()
              .metrics()
              .registry()
              .scrape()
              .lines()
              .filter(
                  l ->
                      (l.startsWith("sluice_upstream_errors")
                              || l.startsWith("sluice_requests_rejected")
                              || l.startsWith("sluice_streams_ended")
                              || (l.startsWith("sluice_request_duration_seconds_count")
                                  && !l.contains("status=\"200\"")))
                          && !l.startsWith("#"))
              .collect(java.util.stream.Collectors.joining("\n"));
      log.info("sidecar counters after the storm:\n{}", problems);
      assertClean("h2", h2out);
      assertClean("h1", h1out);
      assertThat(uploadFailures).isEmpty();
      assertThat(uploads.get()).isGreaterThanOrEqualTo(3);
      swapMillis.sort(null);
      log.info(
          "50 reloads under load: swap median {} ms, max {} ms; {} uploads of 16 MiB intact",
          swapMillis.get(25),
          swapMillis.get(49),
          uploads.get());
    }
  }

  private static void assertClean(String label, String h2loadOutput) {
    Matcher requests = REQUESTS.matcher(h2loadOutput);
    Matcher status = STATUS.matcher(h2loadOutput);
    assertThat(requests.find()).as("%s output:%n%s", label, h2loadOutput).isTrue();
    assertThat(status.find()).as("%s output:%n%s", label, h2loadOutput).isTrue();
    long succeeded = Long.parseLong(requests.group(4));
    assertThat(succeeded).as("%s succeeded", label).isPositive();
    assertThat(requests.group(5)).as("%s failed; output:%n%s", label, h2loadOutput).isEqualTo("0");
    assertThat(requests.group(6)).as("%s errored", label).isEqualTo("0");
    assertThat(requests.group(7)).as("%s timeout", label).isEqualTo("0");
    assertThat(status.group(2) + "/" + status.group(3) + "/" + status.group(4))
        .as("%s non-2xx (3xx/4xx/5xx)", label)
        .isEqualTo("0/0/0");
    log.info("{}: {} requests succeeded across the storm", label, succeeded);
  }

  private static String run(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      return new String(out, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
