package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sidecar.accesslog.CapturedAccessLog;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.runtime.Generation;
import dev.sluice.sidecar.testing.NamedUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant: a rule's weighted backends share its requests by weight (within 5 sigma of the
 * binomial), never send to a weight-0 backend, answer 500 naming why for an unavailable backend or
 * all-zero weights, and take in-place endpoint changes per backend; a rule's rate limit admits its
 * burst plus its refill over the elapsed time under concurrency, answers the rest 429 with
 * Retry-After, keeps clients' buckets apart and keeps its bucket across a reload that leaves it.
 */
class TrafficPolicyIT {
  @TempDir Path dir;

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static HttpResponse<String> get(String url) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(java.time.Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String split(String first, String second, String third) {
    return """
        version: 4
        admin: {address: 127.0.0.1:0}
        listeners: [{name: http, address: 127.0.0.1:0}]
        rules:
          - name: canary
            listener: http
            backends:
              - {weight: 90, upstream: {endpoints: [%s]}}
              - {weight: 10, upstream: {protocol: h2c, endpoints: [%s]}}
              - {weight: 0, upstream: {endpoints: [%s]}}
        """
        .formatted(first, second, third);
  }

  @Test
  void tenThousandRequestsSplitNinetyTenWithinFiveSigma() throws Exception {
    try (NamedUpstream stable = new NamedUpstream("stable", false);
        NamedUpstream canary = new NamedUpstream("canary", true);
        NamedUpstream never = new NamedUpstream("never", false);
        RunningSidecar sidecar =
            new RunningSidecar(split(stable.address(), canary.address(), never.address()))) {
      int n = 10_000;
      Map2 bodies = new Map2();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> sent = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          int share = n / 8;
          sent.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < share; i++) {
                      HttpResponse<String> response = get(sidecar.url("/"));
                      bodies.count(response.statusCode() + " " + response.body());
                    }
                    return null;
                  }));
        }
        for (Future<?> f : sent) {
          f.get(5, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
      }
      // Binomial(10000, 0.1): sigma = 30, so the canary's count lies in 1000 +- 150.
      double sigma = Math.sqrt(n * 0.1 * 0.9);
      assertThat(bodies.get("200 canary") + bodies.get("200 stable")).isEqualTo(n);
      assertThat((double) bodies.get("200 canary")).isBetween(1000 - 5 * sigma, 1000 + 5 * sigma);
      assertThat(canary.received()).isEqualTo(bodies.get("200 canary"));
      assertThat(never.received()).as("weight 0: never chosen").isZero();
      String metrics = sidecar.sidecar().metrics().registry().scrape();
      assertThat(metrics)
          .contains(
              "sluice_backend_requests_total{backend=\"1\",rule=\"canary\"} "
                  + bodies.get("200 canary")
                  + ".0")
          .doesNotContain("backend=\"2\"");
    }
  }

  /** Counts by key, thread-safe. */
  private static final class Map2 {
    private final ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    void count(String key) {
      counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    int get(String key) {
      AtomicInteger count = counts.get(key);
      return count == null ? 0 : count.get();
    }
  }

  @Test
  void unavailableBackendsAndAllZeroWeightsAnswer500NamingWhy() throws Exception {
    CapturedAccessLog log = new CapturedAccessLog();
    try (NamedUpstream a = new NamedUpstream("a", false);
        RunningSidecar sidecar =
            new RunningSidecar(
                """
                version: 4
                admin: {address: 127.0.0.1:0}
                listeners: [{name: http, address: 127.0.0.1:0}]
                rules:
                  - name: gone
                    listener: http
                    matches: [{path: {type: Prefix, value: /gone}}]
                    backends:
                      - {weight: 1, unavailable: "Service shop/gone not found"}
                      - {weight: 0, upstream: {endpoints: [%s]}}
                  - name: zero
                    listener: http
                    backends: [{weight: 0, upstream: {endpoints: [%s]}}]
                """
                    .formatted(a.address(), a.address()),
                log.output())) {
      HttpResponse<String> gone = get(sidecar.url("/gone"));
      assertThat(gone.statusCode()).isEqualTo(500);
      assertThat(gone.body())
          .isEqualTo(
              "500 Internal Server Error: rule gone: backend 0 of the rule is unavailable:"
                  + " Service shop/gone not found\n");
      HttpResponse<String> zero = get(sidecar.url("/"));
      assertThat(zero.statusCode()).isEqualTo(500);
      assertThat(zero.body())
          .isEqualTo(
              "500 Internal Server Error: rule zero: every backend of the rule has weight 0"
                  + " (expected: at least one weight above 0)\n");
      assertThat(a.received()).isZero();
      assertThat(log.lines(2))
          .allSatisfy(
              line -> {
                assertThat(line.get("termination").asText()).isEqualTo("PC");
                assertThat(line.get("cause").asText()).isEqualTo("no_endpoint");
                assertThat(line.get("detail").asText()).isEqualTo("backend unavailable");
              });
      assertThat(sidecar.sidecar().metrics().registry().scrape())
          .contains("sluice_upstream_errors_total{kind=\"backend_unavailable\",rule=\"gone\"} 1.0");
    }
  }

  @Test
  void aBackendsStaticEndpointsChangeInPlace() throws Exception {
    try (NamedUpstream a = new NamedUpstream("a", false);
        NamedUpstream b = new NamedUpstream("b", true);
        NamedUpstream c = new NamedUpstream("c", false);
        RunningSidecar sidecar = new RunningSidecar(split(a.address(), b.address(), c.address()))) {
      Path file = dir.resolve("sidecar.yaml");
      sidecar.sidecar().configSource(() -> SidecarConfigCodec.read(file));
      Generation first = sidecar.sidecar().generation();
      Files.writeString(
          file,
          split(a.address(), b.address(), c.address())
              .replace(
                  "weight: 90, upstream: {endpoints: [" + a.address(),
                  "weight: 90, upstream: {endpoints: [" + c.address()));
      SidecarReport report = sidecar.sidecar().reloadFromSource().get(10, TimeUnit.SECONDS);
      assertThat(report.outcome()).isEqualTo(SidecarReport.Outcome.Applied);
      assertThat(sidecar.sidecar().generation()).as("in place").isSameAs(first);
      int served = 0;
      for (int i = 0; i < 40; i++) {
        String body = get(sidecar.url("/")).body();
        assertThat(body).isIn("b", "c");
        served += body.equals("c") ? 1 : 0;
      }
      assertThat(served).as("backend 0 now on c").isPositive();
      assertThat(a.received()).isZero();
    }
  }

  private static String limited(String upstream, String rateLimit, String timeout) {
    return """
        version: 4
        admin: {address: 127.0.0.1:0}
        listeners: [{name: http, address: 127.0.0.1:0}]
        rules:
          - name: limited
            listener: http
            upstream: {endpoints: [%s]}
            rateLimit: %s
            timeouts: {request: %s}
        """
        .formatted(upstream, rateLimit, timeout);
  }

  @Test
  void concurrentClientsGetTheBurstPlusTheRefillAndThe429sSayWhenToComeBack() throws Exception {
    long rate = 20; // per second
    long burst = 40;
    try (NamedUpstream a = new NamedUpstream("a", false);
        RunningSidecar sidecar =
            new RunningSidecar(
                limited(a.address(), "{requests: " + rate + ", burst: " + burst + "}", "10s"))) {
      AtomicInteger admitted = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      AtomicLong firstResponse = new AtomicLong(Long.MAX_VALUE);
      AtomicLong lastRefusedSend = new AtomicLong(Long.MIN_VALUE);
      List<String> retryAfters = java.util.Collections.synchronizedList(new ArrayList<>());
      long firstSend = System.nanoTime();
      long until = firstSend + TimeUnit.MILLISECONDS.toNanos(1500);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> clients = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          clients.add(
              pool.submit(
                  () -> {
                    while (System.nanoTime() < until) {
                      long sent = System.nanoTime();
                      HttpResponse<String> response = get(sidecar.url("/"));
                      firstResponse.accumulateAndGet(System.nanoTime(), Math::min);
                      if (response.statusCode() == 200) {
                        admitted.incrementAndGet();
                      } else {
                        assertThat(response.statusCode()).isEqualTo(429);
                        assertThat(response.body())
                            .isEqualTo(
                                "429 Too Many Requests: rule limited allows 20 requests per"
                                    + " second (burst 40)\n");
                        retryAfters.add(response.headers().firstValue("retry-after").orElse(""));
                        refused.incrementAndGet();
                        lastRefusedSend.accumulateAndGet(sent, Math::max);
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> f : clients) {
          f.get(1, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
      }
      long lastResponse = System.nanoTime();
      assertThat(refused.get()).as("the clients outran the limit").isPositive();
      // Upper: no more than the burst plus what refilled while any request was out.
      double outer = (lastResponse - firstSend) / 1e9;
      // Lower: every token made until the last refused check was taken (the bucket never filled up
      // again while 8 clients kept asking), and that check came after its request was sent.
      double inner = (lastRefusedSend.get() - firstResponse.get()) / 1e9;
      assertThat((double) admitted.get())
          .isBetween(burst + rate * inner - 1, burst + rate * outer + 1);
      assertThat(a.received()).isEqualTo(admitted.get());
      assertThat(retryAfters).isNotEmpty().allMatch("1"::equals);
      assertThat(sidecar.sidecar().metrics().registry().scrape())
          .contains("sluice_rate_limited_total{rule=\"limited\"} " + refused.get() + ".0");
    }
  }

  /** One HTTP/1.1 GET from {@code from} on a new connection: the status line and Retry-After. */
  private static String getFrom(String from, InetSocketAddress to) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
      socket.connect(to, 5_000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String status = response.substring(0, response.indexOf("\r\n"));
      String retryAfter =
          response
              .lines()
              .filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("retry-after:"))
              .findFirst()
              .orElse("");
      return (status + " " + retryAfter).strip();
    }
  }

  @Test
  void clientAddressesHaveTheirOwnBucketsKeptAcrossAReloadThatLeavesTheLimit() throws Exception {
    CapturedAccessLog log = new CapturedAccessLog();
    try (NamedUpstream a = new NamedUpstream("a", false);
        RunningSidecar sidecar =
            new RunningSidecar(
                limited(
                    a.address(), "{requests: 1, unit: Hour, burst: 2, key: ClientAddress}", "10s"),
                log.output())) {
      InetSocketAddress listener = sidecar.sidecar().listenerAddresses().get("http");
      assertThat(getFrom("127.0.0.1", listener)).isEqualTo("HTTP/1.1 200 OK");
      assertThat(getFrom("127.0.0.1", listener)).isEqualTo("HTTP/1.1 200 OK");
      assertThat(getFrom("127.0.0.1", listener))
          .matches("HTTP/1.1 429 Too Many Requests retry-after: 3[56]\\d\\d");
      JsonNode refusal = log.lines(3).get(2);
      assertThat(refusal.get("status").asInt()).isEqualTo(429);
      assertThat(refusal.get("termination").asText()).isEqualTo("PR");
      assertThat(refusal.get("cause").asText()).isEqualTo("limit");
      assertThat(refusal.get("detail").asText()).isEqualTo("rateLimit");
      assertThat(getFrom("127.0.0.2", listener)).as("another client").isEqualTo("HTTP/1.1 200 OK");

      Path file = dir.resolve("sidecar.yaml");
      sidecar.sidecar().configSource(() -> SidecarConfigCodec.read(file));
      Files.writeString(
          file,
          limited(a.address(), "{requests: 1, unit: Hour, burst: 2, key: ClientAddress}", "20s"));
      Generation before = sidecar.sidecar().generation();
      sidecar.sidecar().reloadFromSource().get(10, TimeUnit.SECONDS);
      assertThat(sidecar.sidecar().generation()).as("reloaded").isNotSameAs(before);
      assertThat(getFrom("127.0.0.1", listener))
          .as("the limit is unchanged: so is the bucket")
          .startsWith("HTTP/1.1 429");

      Files.writeString(
          file,
          limited(a.address(), "{requests: 2, unit: Hour, burst: 2, key: ClientAddress}", "20s"));
      sidecar.sidecar().reloadFromSource().get(10, TimeUnit.SECONDS);
      assertThat(getFrom("127.0.0.1", listener))
          .as("a changed limit starts full")
          .isEqualTo("HTTP/1.1 200 OK");
      assertThat(a.received()).isEqualTo(4);
    }
  }
}
