package dev.sluice.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Valid fixtures normalize to their golden form (defaults filled, revision computed) and survive
 * YAML and JSON round trips; invalid fixtures fail with exactly the golden list of problems.
 */
class ContractGoldenTest {

  static Stream<Path> valid() {
    return Fixtures.inputs("valid");
  }

  static Stream<Path> invalid() {
    return Fixtures.inputs("invalid");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void validFixtureNormalizesToItsGoldenForm(Path input) throws Exception {
    SidecarConfig config = SidecarConfigCodec.read(input);
    String normalized = SidecarConfigCodec.toYaml(config);
    Path golden = input.resolveSibling(Fixtures.baseName(input) + ".golden.yaml");
    assertThat(normalized).isEqualTo(Fixtures.golden(golden, normalized));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void validFixtureRoundTripsThroughYamlAndJson(Path input) throws Exception {
    SidecarConfig config = SidecarConfigCodec.read(input);
    assertThat(SidecarConfigCodec.readYaml(SidecarConfigCodec.toYaml(config), "yaml"))
        .isEqualTo(config);
    assertThat(SidecarConfigCodec.readJson(SidecarConfigCodec.toJson(config), "json"))
        .isEqualTo(config);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void invalidFixtureFailsWithItsGoldenProblems(Path input) throws IOException {
    InvalidConfigException failure =
        catchThrowableOfType(InvalidConfigException.class, () -> SidecarConfigCodec.read(input));
    assertThat(failure).as("%s should be rejected", input.getFileName()).isNotNull();
    String problems =
        String.join("\n", failure.problems().stream().map(ConfigProblem::toString).toList()) + "\n";
    Path golden = input.resolveSibling(Fixtures.baseName(input) + ".errors");
    assertThat(problems).isEqualTo(Fixtures.golden(golden, problems));
    assertThat(failure.getMessage()).startsWith(input.toString() + ": ");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void everyInvalidFixtureHasAGoldenFile(Path input) {
    assertThat(input.resolveSibling(Fixtures.baseName(input) + ".errors")).exists();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"valid", "invalid"})
  void everyGoldenFileHasItsInput(String folder) throws IOException {
    List<String> inputs = Fixtures.inputs(folder).map(Fixtures::baseName).toList();
    assertThat(inputs).as("fixtures in %s", folder).isNotEmpty();
    try (Stream<Path> files = Files.list(Fixtures.CONTRACT.resolve(folder))) {
      List<String> orphans =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".golden.yaml") || n.endsWith(".errors"))
              .filter(n -> !inputs.contains(n.replaceFirst("(\\.golden\\.yaml|\\.errors)$", "")))
              .toList();
      assertThat(orphans).as("golden files in %s whose input is gone", folder).isEmpty();
    }
  }
}
