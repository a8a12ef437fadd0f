package dev.sluice.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The standalone CLI: invalid input gets exit code 2 and a message naming field and value. */
class SidecarMainTest {
  private static final Path ROOT =
      Path.of(System.getProperty("sluice.root", "../..")).toAbsolutePath();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return SidecarMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void invalidConfigExitsWithTwoAndNamesEveryProblem() {
    Path broken = ROOT.resolve("examples/standalone/invalid/bad-endpoint.yaml");
    assertThat(run("--config", broken.toString())).isEqualTo(2);
    assertThat(err.toString())
        .contains(broken + ": 2 problems")
        .contains(
            "rules[0].upstream.endpoints[0]: \"10.0.0.1:70000\" (expected: host:port with port 1..65535)")
        .contains("rules[0].timeouts.request: \"0s\" (expected: a duration greater than 0)");
  }

  @Test
  void withoutThreadsItRunsOneEventLoopPerCoreItMayUseButNeverMoreThanTwo() {
    assertThat(SidecarMain.defaultThreads(1)).isEqualTo(1);
    assertThat(SidecarMain.defaultThreads(2)).isEqualTo(2);
    assertThat(SidecarMain.defaultThreads(64)).as("a node's cores are not the pod's").isEqualTo(2);
    assertThat(SidecarMain.defaultThreads(0)).isEqualTo(1);
  }

  @Test
  void missingFileIsAConfigProblemToo() {
    assertThat(run("--config", "/nonexistent/sidecar.yaml")).isEqualTo(2);
    assertThat(err.toString())
        .contains("/nonexistent/sidecar.yaml")
        .contains("expected: a readable file");
  }

  @Test
  void aSpanEndpointThatIsNotAnHttpUrlExitsWithTwoNamingIt() {
    Path example = ROOT.resolve("examples/standalone/h1-to-h2c.yaml");
    for (String bad : List.of("ftp://collector:4318/v1/traces", "collector:4318", "http://")) {
      err.getBuffer().setLength(0);
      assertThat(run("--config", example.toString(), "--otlp-endpoint", bad)).as(bad).isEqualTo(2);
      assertThat(err.toString())
          .contains("--otlp-endpoint \"" + bad + "\" (expected an http or https URL");
    }
  }

  @Test
  void missingOptionPrintsUsage() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString())
        .contains("--config FILE or --config-service URL is required")
        .contains("Usage:");
  }

  @Test
  void checkPrintsTheNormalizedConfigWithoutStarting() {
    Path example = ROOT.resolve("examples/standalone/h1-to-h2c.yaml");
    assertThat(run("--config", example.toString(), "--check")).isZero();
    assertThat(out.toString())
        .contains("revision: ")
        .contains("protocol: h2c")
        .contains("maxConnectionsPerEndpoint: 64");
  }

  @Test
  void aListenerThatCannotBindExitsWithTwoNamingIt() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Path config = java.nio.file.Files.createTempFile("sidecar", ".yaml");
      java.nio.file.Files.writeString(
          config,
          """
          version: 1
          admin: {address: 127.0.0.1:0}
          listeners: [{name: http, address: 127.0.0.1:%d}]
          rules: [{name: r, listener: http, upstream: {endpoints: [127.0.0.1:9]}}]
          """
              .formatted(taken.getLocalPort()));
      assertThat(run("--config", config.toString())).isEqualTo(2);
      assertThat(err.toString())
          .contains("listeners[0].address: cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
  }

  @Test
  void productionDefaultsTurnOffPoolsAndLeakSamplingUnlessTheJvmWasToldOtherwise() {
    assertThat(defaultsGiven())
        .containsEntry("io.netty.recycler.maxCapacityPerThread", "0")
        .containsEntry("io.netty.leakDetection.level", "disabled")
        .containsEntry("io.netty.jfr.enabled", "false");
    assertThat(defaultsGiven("io.netty.jfr.enabled", "true"))
        .containsEntry("io.netty.jfr.enabled", "true");
    assertThat(
            defaultsGiven(
                "io.netty.recycler.maxCapacityPerThread", "4096",
                "io.netty.leakDetection.level", "simple"))
        .containsEntry("io.netty.recycler.maxCapacityPerThread", "4096")
        .containsEntry("io.netty.leakDetection.level", "simple");
    assertThat(defaultsGiven("io.netty.leakDetectionLevel", "advanced")) // the old name
        .doesNotContainKey("io.netty.leakDetection.level");
  }

  /** The system properties after the defaults, given {@code set} (name, value, ...) by -D. */
  private static Properties defaultsGiven(String... set) {
    Properties properties = new Properties();
    for (int i = 0; i < set.length; i += 2) {
      properties.setProperty(set[i], set[i + 1]);
    }
    NettyProductionDefaults.apply(properties);
    return properties;
  }
}
