package dev.sluice.operator.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.testing.kubernetes.ClusterFixtures;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar operator/target/sluice-operator.jar} as a user runs it: help, a bad flag named
 * with exit 2, an unreachable API server reported with exit 1 (as a JSON log line when asked), a
 * taken port named with exit 3 before anything was written to the cluster, and a real start against
 * the mock API server: TLS Secret created, {@code /readyz}, {@code /metrics}, then a clean stop.
 */
class OperatorMainIT {
  static final Path JAR = Path.of("target/sluice-operator.jar");

  @TempDir Path dir;

  record Ran(int exit, String output) {}

  Ran run(Map<String, String> env, int seconds, String... args) throws Exception {
    Process process = start(env, args);
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("still running after " + seconds + "s");
    }
    return new Ran(
        process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  Process start(Map<String, String> env, String... args) throws IOException {
    return start(env, null, args);
  }

  /** With {@code log} set, the output goes to that file. */
  Process start(Map<String, String> env, Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Fail fast instead of fabric8's default request retries.
    command.add("-Dkubernetes.request.retry.backoffLimit=0");
    command.add("-jar");
    command.add(JAR.toAbsolutePath().toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    if (log != null) {
      builder.redirectOutput(log.toFile());
    }
    return builder.start();
  }

  Path kubeconfig(String server) throws IOException {
    return Files.writeString(
        dir.resolve("kubeconfig"),
        """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "%s"}}]
        users: [{name: u, user: {token: test}}]
        contexts: [{name: x, context: {cluster: c, user: u, namespace: default}}]
        current-context: x
        """
            .formatted(server));
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void helpAndBadFlags() throws Exception {
    Ran help = run(Map.of(), 60, "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.output()).contains("Usage: sluice-operator").contains("--[no-]leader-election");
    assertRefused(
        "--native-sidecars=maybe",
        "sluice-operator: --native-sidecars maybe (expected: auto, true or false)");
    assertRefused(
        "--sidecar-access-log=yaml",
        "sluice-operator: --sidecar-access-log yaml (expected: json, text or off)");
    assertRefused(
        "--sidecar-otlp-endpoint=ftp://x",
        "sluice-operator: --sidecar-otlp-endpoint ftp://x (expected: an http or https URL,"
            + " such as http://otel-collector.observability:4318/v1/traces)");
    assertRefused(
        "--sidecar-otlp-service-name= ",
        "sluice-operator: --sidecar-otlp-service-name \" \" (expected: a name, such as"
            + " sluice-sidecar)");
    assertRefused(
        "--bind-address=no-such-host.invalid",
        "sluice-operator: --bind-address no-such-host.invalid (expected: an IP address of"
            + " this host, like 127.0.0.1 or ::)");
    assertThat(help.output()).contains("--bind-address=IP").contains("Exit codes:");
    Ran checkHelp = run(Map.of(), 60, "check-install", "--help");
    assertThat(checkHelp.exit()).as("the helm test's command is in the jar").isZero();
    assertThat(checkHelp.output())
        .contains("Usage: sluice-operator check-install")
        .contains("--ca-file=FILE");
  }

  /** {@code arg} alone exits 2 with {@code message}: the flag, the value, what was expected. */
  void assertRefused(String arg, String message) throws Exception {
    Ran ran = run(Map.of(), 60, arg);
    assertThat(ran.exit()).as(arg).isEqualTo(2);
    assertThat(ran.output()).contains(message);
  }

  @Test
  void aTakenPortFailsTheStartBeforeAnythingIsWrittenToTheCluster() throws Exception {
    try (EmbeddedKubernetes cluster = new EmbeddedKubernetes();
        ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      cluster.namespace("sluice-system");
      cluster.client().resource(ClusterFixtures.injectorWebhook()).create();
      Path config = kubeconfig(cluster.client().getConfiguration().getMasterUrl());
      cluster.takeRequests(); // the test's own
      Ran ran =
          run(
              Map.of("KUBECONFIG", config.toString()),
              120,
              "--leader-election",
              "--native-sidecars=true",
              "--bind-address=127.0.0.1",
              "--admin-port=" + taken.getLocalPort(),
              "--config-service-port=" + freePort(),
              "--webhook-port=" + freePort());
      assertThat(ran.exit()).as(ran.output()).isEqualTo(3);
      assertThat(ran.output())
          .contains(
              "cannot start: the admin endpoint cannot listen on 127.0.0.1:"
                  + taken.getLocalPort()
                  + ": ")
          .contains("(expected: a free port and an address of this host; set --admin-port or")
          .doesNotContain("\tat ");
      List<String> written =
          cluster.takeRequests().stream()
              .filter(r -> !"GET".equals(r.getMethod()))
              .map(r -> r.getMethod() + " " + r.getPath())
              .toList();
      assertThat(written).as("requests that change the cluster").isEmpty();
      var client = cluster.client();
      assertThat(client.secrets().inNamespace("sluice-system").list().getItems()).isEmpty();
      assertThat(client.leases().inNamespace("sluice-system").list().getItems()).isEmpty();
      assertThat(
              client
                  .admissionRegistration()
                  .v1()
                  .mutatingWebhookConfigurations()
                  .withName("sluice-sidecar-injector")
                  .get()
                  .getWebhooks()
                  .get(0)
                  .getClientConfig()
                  .getCaBundle())
          .as("caBundle")
          .isNull();
    }
  }

  @Test
  void anUnreachableApiServerIsReportedAsOneJsonLogLine() throws Exception {
    Path config = kubeconfig("https://127.0.0.1:" + freePort());
    Ran ran =
        run(
            Map.of("KUBECONFIG", config.toString(), "SLUICE_LOG_FORMAT", "JSON"),
            120,
            "--no-leader-election",
            // Its own ports: the defaults may be taken on a machine running other tests.
            "--bind-address=127.0.0.1",
            "--admin-port=" + freePort(),
            "--config-service-port=" + freePort(),
            "--webhook-port=" + freePort());
    assertThat(ran.exit()).isEqualTo(1);
    JsonNode error =
        ran.output()
            .lines()
            .filter(l -> l.startsWith("{"))
            .map(OperatorMainIT::json)
            .filter(j -> "ERROR".equals(j.path("level").asText()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no JSON error line in:\n" + ran.output()));
    assertThat(error.path("formattedMessage").asText())
        .startsWith("cannot work with the Kubernetes API server (unreachable)");
    assertThat(error.path("loggerName").asText()).isEqualTo("dev.sluice.operator.OperatorMain");
  }

  static JsonNode json(String line) {
    try {
      return JsonMapper.builder().build().readTree(line);
    } catch (IOException e) {
      throw new IllegalStateException(line, e);
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
  void itStartsServesReadinessAndMetricsAndStops(boolean leaderElection) throws Exception {
    try (EmbeddedKubernetes cluster = new EmbeddedKubernetes()) {
      cluster.namespace("sluice-system");
      Path config = kubeconfig(cluster.client().getConfiguration().getMasterUrl());
      int admin = freePort();
      Process operator =
          start(
              Map.of("KUBECONFIG", config.toString()),
              dir.resolve("operator.log"),
              leaderElection ? "--leader-election" : "--no-leader-election",
              "--native-sidecars=true",
              "--bind-address=127.0.0.1",
              "--admin-port=" + admin,
              "--config-service-port=" + freePort(),
              "--webhook-port=" + freePort());
      try {
        HttpClient http = HttpClient.newHttpClient();
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(250))
            .ignoreExceptions()
            .until(
                () ->
                    http.send(
                                HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + admin + "/readyz"))
                                    .build(),
                                HttpResponse.BodyHandlers.ofString())
                            .statusCode()
                        == 200);
        String metrics =
            http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(metrics).contains("sluice_operator_assignments_total").contains("jvm_memory_");
        assertThat(
                cluster
                    .client()
                    .secrets()
                    .inNamespace("sluice-system")
                    .withName("sluice-operator-tls")
                    .get())
            .isNotNull();
      } finally {
        operator.destroy(); // SIGTERM: the shutdown hook stops everything
        boolean stopped = operator.waitFor(30, TimeUnit.SECONDS);
        if (!stopped) {
          operator.destroyForcibly();
        }
        String output = Files.readString(dir.resolve("operator.log"));
        assertThat(stopped).as("stopped on SIGTERM; it said:\n" + output).isTrue();
        assertThat(output)
            .contains(
                leaderElection
                    ? "leader election on (Lease sluice-system/sluice-operator)"
                    : "leader election off");
      }
    }
  }
}
