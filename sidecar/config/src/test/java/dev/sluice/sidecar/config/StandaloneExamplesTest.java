package dev.sluice.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every standalone example under examples/standalone is a valid config; the deliberately broken
 * ones under invalid/ fail with exactly the problems their header comment documents.
 */
class StandaloneExamplesTest {
  private static final Path STANDALONE = Fixtures.ROOT.resolve("examples/standalone");

  static Stream<Path> valid() throws IOException {
    try (Stream<Path> files = Files.list(STANDALONE)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  static Stream<Path> invalid() throws IOException {
    try (Stream<Path> files = Files.list(STANDALONE.resolve("invalid"))) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void exampleIsValid(Path example) throws Exception {
    SidecarConfig config = SidecarConfigCodec.read(example);
    assertThat(config.listeners()).isNotEmpty();
    assertThat(config.revision()).hasSize(16);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void brokenExampleFailsAsDocumented(Path example) throws IOException {
    List<String> documented =
        Files.readAllLines(example).stream()
            .filter(line -> line.startsWith("#     "))
            .map(line -> line.substring("#     ".length()))
            .toList();
    assertThat(documented).as("documented problems in %s", example).isNotEmpty();
    InvalidConfigException failure =
        catchThrowableOfType(InvalidConfigException.class, () -> SidecarConfigCodec.read(example));
    assertThat(failure.problems())
        .map(ConfigProblem::toString)
        .containsExactlyElementsOf(documented);
  }

  @Test
  void theIssueExamplesAreWhereTheDocsSay() throws Exception {
    SidecarConfig h1ToH2c = SidecarConfigCodec.read(STANDALONE.resolve("h1-to-h2c.yaml"));
    assertThat(h1ToH2c.listeners().get(0).address()).isEqualTo("127.0.0.1:10080");
    assertThat(h1ToH2c.rules().get(0).upstream().protocol()).isEqualTo(Upstream.Protocol.H2C);
    assertThat(h1ToH2c.rules().get(0).upstream().endpoints()).containsExactly("127.0.0.1:10081");
    assertThat(h1ToH2c.admin().address()).isEqualTo("127.0.0.1:10090");

    SidecarConfig offload = SidecarConfigCodec.read(STANDALONE.resolve("offload.yaml"));
    Agent agent = offload.agents().get(0);
    assertThat(agent.endpoints()).containsExactly("127.0.0.1:12345");
    assertThat(agent.timeouts().processing()).hasSeconds(2);
    assertThat(agent.failurePolicy()).isEqualTo(Agent.FailurePolicy.Allow);
    assertThat(agent.messages().get(0).args())
        .extracting(AgentMessage.Argument::value)
        .containsExactly("src", "method", "path");
    assertThat(offload.rules().get(0).upstream().endpoints()).containsExactly("127.0.0.1:10082");
  }
}
