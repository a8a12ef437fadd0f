package dev.sluice.bench.scale;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@code sluice-operator.jar} as its own process (so its heap and CPU are its own), against the
 * embedded API server's kubeconfig, with figures read from its admin port and {@code /proc}.
 */
final class OperatorProcess implements AutoCloseable {
  private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

  private final Process process;
  private final int admin;
  private final int configService;
  private final Path log;
  private final HttpClient http = HttpClient.newHttpClient();

  private OperatorProcess(Process process, int admin, int configService, Path log) {
    this.process = process;
    this.admin = admin;
    this.configService = configService;
    this.log = log;
  }

  /** Starts the jar; {@code cpus}, when not blank, pins it with taskset. */
  static OperatorProcess start(Path jar, Path kubeconfig, String heap, String cpus, Path log)
      throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException(
          "--operator-jar "
              + jar
              + " does not exist (expected the operator's jar: ./mvnw -B -q install -DskipTests)");
    }
    int[] ports = freePorts(3);
    int admin = ports[0];
    int configService = ports[1];
    List<String> command = new ArrayList<>();
    if (cpus != null && !cpus.isBlank()) {
      command.addAll(List.of("taskset", "-c", cpus));
    }
    command.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx" + heap,
            "-jar",
            jar.toString(),
            "--no-leader-election",
            "--native-sidecars=true",
            "--admin-port=" + admin,
            "--config-service-port=" + configService,
            "--webhook-port=" + ports[2],
            "--long-poll=30s"));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    return new OperatorProcess(builder.start(), admin, configService, log);
  }

  /** Waits for {@code /readyz} to answer 200. */
  void awaitReady(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "the operator exited with " + process.exitValue() + "; its log: " + log);
      }
      try {
        if (get("/readyz").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200); // another process: its readiness can only be asked for
    }
    throw new IOException("the operator was not ready within " + timeout + "; its log: " + log);
  }

  String configServiceUrl() {
    return "https://localhost:" + configService;
  }

  /** Heap in use now (sum of the heap pools in its Prometheus metrics), in bytes. */
  long heapUsedBytes() throws IOException, InterruptedException {
    double sum = 0;
    for (String line : get("/metrics").body().split("\n", -1)) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return (long) sum;
  }

  /** CPU time the process used so far (user + system), in seconds. */
  double cpuSeconds() throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
    // Fields after the command name, which is in parentheses and may contain spaces.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks / (double) TICKS_PER_SECOND;
  }

  /** Runs {@code jcmd PID command args...} (the JDK's, beside this JVM's java) and waits for it. */
  void jcmd(String command, String... args) throws IOException, InterruptedException {
    List<String> line = new ArrayList<>();
    line.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    line.add(Long.toString(process.pid()));
    line.add(command);
    line.addAll(List.of(args));
    Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
    String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (jcmd.waitFor() != 0) {
      throw new IOException(String.join(" ", line) + " failed: " + output);
    }
  }

  /** Resident memory now, in bytes. */
  long rssBytes() throws IOException {
    for (String line :
        Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return 0;
  }

  /** An SSL context trusting the CA bundle (PEM) the operator published. */
  static SSLContext trusting(String caPem) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    for (Certificate cert :
        CertificateFactory.getInstance("X.509")
            .generateCertificates(
                new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII)))) {
      store.setCertificateEntry("ca-" + i++, cert);
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Distinct free ports (all held open until each is known, so none is handed out twice). */
  private static int[] freePorts(int count) throws IOException {
    ServerSocket[] sockets = new ServerSocket[count];
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        sockets[i] = new ServerSocket(0);
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        if (socket != null) {
          socket.close();
        }
      }
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      // Kept for the caller rather than thrown from close(), where a try-with-resources could
      // suppress it.
      Thread.currentThread().interrupt();
    }
  }
}
