package dev.sluice.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the whole-system scenarios share: each starts its own sandbox (embedded API, operator, four
 * pods with real sidecars, real backends and SPOE agents) and, on failure, prints the route's
 * status, the agents', the pods' records and the events; helpers to edit the route, read its
 * conditions and put load on the pods. The scenarios: {@link TrafficScenariosIT}, {@link
 * RolloutScenariosIT}.
 */
abstract class SandboxScenarios {
  @TempDir Path work;

  Sandbox sandbox;

  HttpClient http;

  final ByteArrayOutputStream narration = new ByteArrayOutputStream();

  @BeforeAll
  static void clientSettings() {
    SandboxMain.allowHostHeaderAndIpTargets();
  }

  @BeforeEach
  void start() throws Exception {
    sandbox =
        new Sandbox(
            new PrintStream(narration, true, StandardCharsets.UTF_8),
            Path.of("../examples/shop"),
            work,
            SandboxNetwork.random());
    sandbox.start();
    assertThat(sandbox.failures()).as(narration.toString(StandardCharsets.UTF_8)).isZero();
    http = sandbox.trafficClient();
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  /** Runs {@code scenario}; on failure prints what happened. */
  void scenario(ThrowingRunnable scenario) throws Exception {
    try {
      scenario.run();
    } catch (AssertionError | Exception e) {
      System.out.println(narration.toString(StandardCharsets.UTF_8));
      System.out.println(sandbox.diagnostics());
      throw e;
    }
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  String ip(int pod) {
    return sandbox.pods().get(pod).ip();
  }

  /** Edits the route as a user would ({@link ShopRoute#edit}: again on a conflict). */
  void editRoute(java.util.function.UnaryOperator<ProxyRoute> change) {
    sandbox.editRoute(change);
  }

  Condition condition(String type) {
    return Conditions.find(sandbox.route().getStatus().conditions(), type);
  }

  static void await(java.util.concurrent.Callable<Boolean> condition, int seconds) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(seconds))
        .pollInterval(Duration.ofMillis(50))
        .until(condition);
  }

  /**
   * {@code concurrency} GETs in flight to the four pods until stopped (a bounded loop: at most a
   * million), each failure counted by its kind: the status and the first line of its body, or the
   * exception.
   */
  final class Load {
    private final int concurrency;
    private final Semaphore slots;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> kinds = new ConcurrentHashMap<>();
    private final long started = System.nanoTime();
    private Thread driver;

    private final long rampPauseMillis;

    Load(int concurrency) {
      this(concurrency, 0);
    }

    /** {@code rampPauseMillis}: the pause between the first {@code concurrency} requests. */
    Load(int concurrency, long rampPauseMillis) {
      this.concurrency = concurrency;
      this.slots = new Semaphore(concurrency);
      this.rampPauseMillis = rampPauseMillis;
    }

    void start() {
      driver =
          new Thread(
              () -> {
                for (int i = 0; running.get() && i < 1_000_000; i++) {
                  try {
                    slots.acquire();
                    if (i < concurrency && rampPauseMillis > 0) {
                      Thread.sleep(rampPauseMillis); // pacing: the clients' ramp-up
                    }
                  } catch (InterruptedException e) {
                    return;
                  }
                  String ip = ip(i % 4);
                  long sentAt = System.nanoTime();
                  CompletableFuture<HttpResponse<String>> answer =
                      http.sendAsync(
                          Sandbox.get(ip, "/under-load"), HttpResponse.BodyHandlers.ofString());
                  answer.whenComplete(
                      (r, e) -> {
                        sent.incrementAndGet();
                        if (e != null || r.statusCode() != 200) {
                          failed.incrementAndGet();
                          kinds
                              .computeIfAbsent(kindOf(r, e), k -> new AtomicInteger())
                              .incrementAndGet();
                          if (failures.size() < 10) {
                            long now = System.nanoTime();
                            failures.add(
                                "%s, sent at +%d ms, after %d ms: %s"
                                    .formatted(
                                        ip,
                                        (sentAt - started) / 1_000_000,
                                        (now - sentAt) / 1_000_000,
                                        e != null
                                            ? e.toString()
                                            : r.statusCode() + " " + r.body()));
                          }
                        }
                        slots.release();
                      });
                }
              },
              "load");
      driver.start();
    }

    void stop() throws InterruptedException {
      running.set(false);
      driver.join(10_000);
      slots.acquire(concurrency); // every request answered
    }

    int sent() {
      return sent.get();
    }

    int failed() {
      return failed.get();
    }

    List<String> failures() {
      return failures;
    }

    /** Failed requests by kind. */
    Map<String, Integer> kinds() {
      Map<String, Integer> counts = new java.util.TreeMap<>();
      kinds.forEach((k, v) -> counts.put(k, v.get()));
      return counts;
    }

    private static String kindOf(HttpResponse<String> response, Throwable error) {
      if (error != null) {
        Throwable cause =
            error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
      }
      String body = response.body() == null ? "" : response.body().strip();
      int end = body.indexOf('\n');
      return "HTTP " + response.statusCode() + " " + (end < 0 ? body : body.substring(0, end));
    }
  }
}
