package dev.sluice.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.sidecar.config.ConfigDecoder;
import dev.sluice.sidecar.config.ContractFields;
import dev.sluice.sidecar.config.ContractRendering;
import dev.sluice.sidecar.config.ContractVersions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the operator sends a sidecar of each contract version, for every render case: golden files
 * under {@code src/test/resources/contract/v<N>/} ({@code -Dgolden.update=true} rewrites them;
 * review the diff: a change to {@code v1/} changes what sidecars already running get). A sidecar of
 * each version reads its own rendering ignoring nothing, and a contract-1 sidecar reads the
 * contract-2 rendering ignoring exactly the fields contract 2 added.
 */
class ContractRenderingGoldenTest {
  static final Path CONTRACT = Path.of("src/test/resources/contract");
  static final ObjectMapper JSON = JsonMapper.builder().build();
  static final ObjectMapper YAML =
      new YAMLMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .build());

  /**
   * Every render case (rendered with clusters) for every contract version this build renders that
   * can take it: a case using a must-understand field of contract N is sent to N and later only.
   */
  static Stream<Arguments> cases() throws Exception {
    return all().filter(a -> sendable((String) a.get()[0], (int) a.get()[1]));
  }

  /** The cases a contract too old for them is refused: never sent a config it would misread. */
  static Stream<Arguments> refusedCases() throws Exception {
    return all().filter(a -> !sendable((String) a.get()[0], (int) a.get()[1]));
  }

  /** The cases of contract 2 and later whose contract-1 rendering exists too. */
  static Stream<Arguments> contract1Cases() throws Exception {
    return cases().filter(a -> sendable((String) a.get()[0], ContractVersions.OLDEST_SUPPORTED));
  }

  private static Stream<Arguments> all() throws Exception {
    List<Arguments> all =
        RendererGoldenTest.cases()
            .filter(a -> a.get()[1].equals("expected.yaml"))
            .flatMap(
                a ->
                    IntStream.rangeClosed(
                            ContractVersions.OLDEST_SUPPORTED, ContractVersions.CURRENT)
                        .mapToObj(v -> Arguments.of(a.get()[0], v)))
            .toList();
    return all.stream();
  }

  private static boolean sendable(String name, int contract) {
    try {
      Rendering rendering =
          Renderer.render(RendererGoldenTest.input(name, false), RendererGoldenTest.CLUSTERS);
      return ContractFields.CURRENT.render(rendering.config(), contract)
          instanceof ContractRendering.Sendable;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest(name = "{0} for contract {1}")
  @MethodSource("refusedCases")
  void aContractTooOldIsRefusedNamingWhatItLacks(String name, int contract) throws Exception {
    Rendering rendering =
        Renderer.render(RendererGoldenTest.input(name, false), RendererGoldenTest.CLUSTERS);
    ContractRendering.Refused refused =
        (ContractRendering.Refused) ContractFields.CURRENT.render(rendering.config(), contract);
    assertThat(refused.needed()).isNotEmpty();
    assertThat(refused.requires()).isGreaterThan(contract);
    assertThat(refused.requires()).isEqualTo(rendering.config().version());
  }

  static ContractRendering.Sendable rendering(String name, int contract) throws Exception {
    Rendering rendering =
        Renderer.render(RendererGoldenTest.input(name, false), RendererGoldenTest.CLUSTERS);
    return (ContractRendering.Sendable) ContractFields.CURRENT.render(rendering.config(), contract);
  }

  @ParameterizedTest(name = "{0} for contract {1}")
  @MethodSource("cases")
  void eachContractIsSentItsGoldenRendering(String name, int contract) throws Exception {
    String actual = YAML.writeValueAsString(JSON.readTree(rendering(name, contract).json()));
    Path expected = CONTRACT.resolve("v" + contract).resolve(name + ".yaml");
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(expected.getParent());
      Files.writeString(expected, actual);
    }
    assertThat(expected)
        .as("golden file (create it with -Dgolden.update=true, then review it)")
        .exists();
    assertThat(actual).isEqualTo(Files.readString(expected));
  }

  @ParameterizedTest(name = "{0} for contract {1}")
  @MethodSource("cases")
  void aSidecarOfThatContractReadsItIgnoringNothing(String name, int contract) throws Exception {
    ConfigDecoder sidecar = new ConfigDecoder(contract, ContractFields.CURRENT);
    assertThat(sidecar.decode(rendering(name, contract).json(), name).ignored()).isEmpty();
  }

  @ParameterizedTest(name = "{0} for contract {1}")
  @MethodSource("contract1Cases")
  void aContract1SidecarReadsANewerRenderingIgnoringOnlyTheFieldsItLacks(String name, int contract)
      throws Exception {
    ConfigDecoder v1 = new ConfigDecoder(1, ContractFields.CURRENT);
    ContractRendering.Sendable newer = rendering(name, contract);
    ContractRendering.Sendable own = rendering(name, 1);
    ConfigDecoder.Decoded read = v1.decode(newer.json(), name);
    List<String> lacking =
        own.dropped().stream().filter(p -> !newer.dropped().contains(p)).toList();
    assertThat(read.ignored()).isEqualTo(lacking);
    assertThat(read.config()).isEqualTo(v1.decode(own.json(), name).config());
  }
}
