package dev.sluice.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image archives the build wrote, checked by real tools and run for real: {@code skopeo} reads
 * both formats, {@code umoci} turns each into an OCI runtime bundle, {@code runc} runs it read-only
 * as the image's user. Traffic goes through the sidecar image to a backend, after the agent image's
 * verdict; the operator image prints its help and fails cleanly without an API server. Needs root,
 * runc, umoci and skopeo (.ci/run installs them); skipped with the reason elsewhere, never in CI.
 */
@EnabledOnOs(OS.LINUX)
class ImagesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).normalize();
  private static final Path OUTPUT = Path.of(System.getProperty("images.output", "target"));
  private static final String TAG = System.getProperty("images.tag", "0.1.0");
  private static final String REGISTRY = System.getProperty("images.registry", "ghcr.io/sluice");

  @TempDir Path temp;

  @BeforeAll
  static void theImagesAndTheToolsAreHere() throws IOException {
    List<String> missing = new ArrayList<>();
    for (ImageRecipe recipe : ImageRecipe.all()) {
      if (!Files.isRegularFile(OUTPUT.resolve(recipe.archiveName()))) {
        missing.add(
            OUTPUT.resolve(recipe.archiveName())
                + " (the build skipped the images: see its [images] line)");
      }
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      missing.add("root (runc runs the bundles)");
    }
    for (String tool : List.of("runc", "umoci", "skopeo", "tar")) {
      if (Command.tryRun(List.of(tool, "--version"), 30).exitCode() != 0) {
        missing.add(tool);
      }
    }
    if (!missing.isEmpty() && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI runs the images for real; missing: " + missing);
    }
    Assumptions.assumeTrue(missing.isEmpty(), () -> "missing: " + missing);
  }

  @Test
  void skopeoReadsEachArchiveAsOciAndAsDockerWithTheDigestTheBuildReported() throws IOException {
    JsonNode summary = JSON.readTree(OUTPUT.resolve("images.json").toFile());
    assertThat(summary).hasSize(3);
    for (JsonNode image : summary) {
      Path archive = OUTPUT.resolve(image.get("archive").asText());
      JsonNode oci = JSON.readTree(run(List.of("skopeo", "inspect", "oci-archive:" + archive)));
      assertThat(oci.get("Digest").asText()).isEqualTo(image.get("manifestDigest").asText());
      JsonNode docker =
          JSON.readTree(run(List.of("skopeo", "inspect", "docker-archive:" + archive)));
      assertThat(docker.get("Layers")).hasSameSizeAs(oci.get("Layers"));
      JsonNode config =
          JSON.readTree(run(List.of("skopeo", "inspect", "--config", "oci-archive:" + archive)));
      assertThat(config.get("config").get("User").asText()).isEqualTo("65532:65532");
      assertThat(image.get("reference").asText()).startsWith(REGISTRY + "/").endsWith(":" + TAG);
    }
  }

  @Test
  void everyImageSharesTheBaseAndJavaLayersWhichHoldTheRuntimeAndItsDebianPackages()
      throws IOException {
    List<List<String>> layersOfEach = new ArrayList<>();
    Map<String, byte[]> sidecar = Map.of();
    for (ImageRecipe recipe : ImageRecipe.all()) {
      Map<String, byte[]> files = OciArchiveTest.read(OUTPUT.resolve(recipe.archiveName()));
      JsonNode index = JSON.readTree(files.get("index.json"));
      String manifest = index.get("manifests").get(0).get("digest").asText();
      List<String> layers = new ArrayList<>();
      JSON.readTree(files.get(OciArchive.blobPath(manifest)))
          .get("layers")
          .forEach(l -> layers.add(l.get("digest").asText()));
      layersOfEach.add(layers);
      if (recipe.name().equals("sidecar")) {
        sidecar = files;
      }
    }
    assertThat(layersOfEach.get(1).subList(0, 3))
        .isEqualTo(layersOfEach.get(0).subList(0, 3))
        .isEqualTo(layersOfEach.get(2).subList(0, 3));
    assertThat(layersOfEach.get(1))
        .as("base, java, java's class archive, app, app's class archive")
        .hasSize(5);

    List<String> base = names(sidecar, layersOfEach.get(1).get(0));
    assertThat(base)
        .contains(
            "etc/passwd",
            "etc/nsswitch.conf",
            "var/lib/dpkg/status.d/libc6",
            "usr/share/doc/libc6/copyright",
            "tmp/")
        .anyMatch(n -> n.endsWith("/libc.so.6"))
        .anyMatch(n -> n.endsWith("/ld-linux-x86-64.so.2"))
        .noneMatch(n -> n.startsWith("opt/"))
        .noneMatch(n -> n.endsWith("/libX11.so.6"));
    List<String> java = names(sidecar, layersOfEach.get(1).get(1));
    assertThat(java)
        .contains("opt/java/bin/java", "opt/java/lib/server/libjvm.so", "opt/java/lib/modules")
        .noneMatch(n -> n.contains("libawt"))
        .noneMatch(n -> n.endsWith(".jsa"));
    assertThat(names(sidecar, layersOfEach.get(1).get(2)))
        .containsExactly(
            "opt/",
            "opt/java/",
            "opt/java/lib/",
            "opt/java/lib/server/",
            "opt/java/lib/server/classes.jsa");
  }

  @Test
  void trafficGoesThroughTheSidecarImageAfterTheAgentImagesVerdict() throws Exception {
    List<String> scores = new CopyOnWriteArrayList<>();
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    backend.createContext(
        "/",
        exchange -> {
          scores.add(String.valueOf(exchange.getRequestHeaders().getFirst("X-IP-Score")));
          byte[] body = "from the backend\n".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    backend.start();
    int agentPort = freePort();
    int listenerPort = freePort();
    int adminPort = freePort();
    Path config = Files.createDirectories(temp.resolve("config"));
    Files.writeString(
        config.resolve("sidecar.yaml"),
        Files.readString(ROOT.resolve("examples/standalone/offload.yaml"))
            .replace("127.0.0.1:10090", "127.0.0.1:" + adminPort)
            .replace("127.0.0.1:10080", "127.0.0.1:" + listenerPort)
            .replace("127.0.0.1:10082", "127.0.0.1:" + backend.getAddress().getPort())
            .replace("127.0.0.1:12345", "127.0.0.1:" + agentPort));

    OciBundle agentBundle =
        OciBundle.unpack(archive("ip-reputation-agent"), TAG, temp.resolve("agent"))
            .appendArgs(List.of("--listen", "127.0.0.1:" + agentPort, "--block", "127.0.0.2/32"))
            .save();
    OciBundle sidecarBundle =
        OciBundle.unpack(archive("sidecar"), TAG, temp.resolve("sidecar"))
            .mountReadOnly(config, "/etc/sluice")
            .appendArgs(List.of("--config=/etc/sluice/sidecar.yaml"))
            // the JVM refuses to start unless the image's class archive maps
            .environment(Map.of("JDK_JAVA_OPTIONS", "-Xshare:on"))
            .save();
    assertThat(sidecarBundle.uid()).as("the image's user").isEqualTo(65532);

    try (Container agent = Container.start(agentBundle, temp.resolve("agent.log"));
        Container sidecar = Container.start(sidecarBundle, temp.resolve("sidecar.log"))) {
      HttpClient client = HttpClient.newHttpClient();
      await("the sidecar image ready")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .ignoreException(java.net.ConnectException.class)
          .untilAsserted(
              () -> {
                assertThat(sidecar.running()).as(sidecar.output()).isTrue();
                assertThat(agent.running()).as(agent.output()).isTrue();
                assertThat(agent.output()).contains("listening on");
                assertThat(
                        client
                            .send(
                                HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + adminPort + "/ready"))
                                    .build(),
                                HttpResponse.BodyHandlers.discarding())
                            .statusCode())
                    .isEqualTo(200);
              });

      assertThat(get(InetAddress.getByName("127.0.0.1"), listenerPort))
          .as(sidecar.output())
          .startsWith("HTTP/1.1 200")
          .contains("from the backend");
      assertThat(scores).as("the agent's score, set by the sidecar").hasSize(1);
      assertThat(scores.get(0)).matches("\\d+");

      assertThat(get(InetAddress.getByName("127.0.0.2"), listenerPort))
          .as("blocked by the agent image")
          .startsWith("HTTP/1.1 403");
      assertThat(scores).as("a denied request never reaches the backend").hasSize(1);
    } finally {
      backend.stop(0);
    }
  }

  @Test
  void theOperatorImagePrintsItsHelpAndFailsCleanlyWithoutAnApiServer() throws Exception {
    OciBundle help =
        OciBundle.unpack(archive("operator"), TAG, temp.resolve("help"))
            .appendArgs(List.of("--help"))
            .save();
    try (Container operator = Container.start(help, temp.resolve("help.log"))) {
      assertThat(operator.awaitExit(Duration.ofSeconds(60))).as(operator.output()).isZero();
      assertThat(operator.output()).contains("Usage:").contains("-XX:MaxRAMPercentage=60");
    }

    // the chart's helm-test hook runs this image with check-install
    OciBundle check =
        OciBundle.unpack(archive("operator"), TAG, temp.resolve("check"))
            .appendArgs(List.of("check-install", "--help"))
            .save();
    try (Container operator = Container.start(check, temp.resolve("check.log"))) {
      assertThat(operator.awaitExit(Duration.ofSeconds(60))).as(operator.output()).isZero();
      assertThat(operator.output()).contains("check-install");
    }

    OciBundle noApi =
        OciBundle.unpack(archive("operator"), TAG, temp.resolve("no-api"))
            .environment(
                Map.of(
                    "KUBERNETES_SERVICE_HOST",
                    "127.0.0.1",
                    "KUBERNETES_SERVICE_PORT",
                    String.valueOf(freePort())))
            .save();
    try (Container operator = Container.start(noApi, temp.resolve("no-api.log"))) {
      int exit = operator.awaitExit(Duration.ofSeconds(180));
      assertThat(exit).as(operator.output()).isNotZero();
      assertThat(operator.output())
          .contains("cannot work with the Kubernetes API server")
          .doesNotContain("\tat ");
    }
  }

  private static Path archive(String name) {
    return OUTPUT.resolve("sluice-" + name + "-image.tar");
  }

  private static List<String> names(Map<String, byte[]> files, String layerDigest)
      throws IOException {
    Path blob = Files.createTempFile("sluice-images-layer", ".tar.gz");
    try {
      Files.write(blob, files.get(OciArchive.blobPath(layerDigest)));
      List<String> names = new ArrayList<>();
      LayerWriterTest.entries(new Layer("x", blob, layerDigest, "", 0))
          .forEach(e -> names.add(e.getName()));
      return names;
    } finally {
      Files.delete(blob);
    }
  }

  /** One HTTP/1.1 request from {@code source}, the whole response as text. */
  private static String get(InetAddress source, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.setSoTimeout(30_000);
      socket.bind(new InetSocketAddress(source, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /shop HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  static String run(List<String> command) throws IOException {
    return Command.run(command, 300);
  }
}
