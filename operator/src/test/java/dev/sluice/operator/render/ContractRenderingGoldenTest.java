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
import java.util.ArrayList;
import java.util.List;
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
   * can take it: from the version its config requires (a case using a must-understand field of
   * contract 4 is never sent to a sidecar of 3) up.
   */
  static Stream<Arguments> cases() throws Exception {
    List<Arguments> all = new ArrayList<>();
    for (String name : names()) {
      for (int v = required(name); v <= ContractVersions.CURRENT; v++) {
        all.add(Arguments.of(name, v));
      }
    }
    return all.stream();
  }

  /** The cases and contracts {@link #cases} leaves out: each contract older than the required. */
  static Stream<Arguments> tooOld() throws Exception {
    List<Arguments> all = new ArrayList<>();
    for (String name : names()) {
      for (int v = ContractVersions.OLDEST_SUPPORTED; v < required(name); v++) {
        all.add(Arguments.of(name, v));
      }
    }
    return all.stream();
  }

  /** The cases a contract-1 sidecar can take, for every contract version. */
  static Stream<Arguments> forContract1() throws Exception {
    List<Arguments> all = new ArrayList<>();
    for (Arguments a : cases().toList()) {
      if (required((String) a.get()[0]) == ContractVersions.OLDEST_SUPPORTED) {
        all.add(a);
      }
    }
    return all.stream();
  }

  static List<String> names() throws Exception {
    return RendererGoldenTest.cases()
        .filter(a -> a.get()[1].equals("expected.yaml"))
        .map(a -> (String) a.get()[0])
        .toList();
  }

  static int required(String name) throws Exception {
    return Renderer.render(RendererGoldenTest.input(name, false), RendererGoldenTest.CLUSTERS)
        .config()
        .version();
  }

  @ParameterizedTest(name = "{0} for contract {1}")
  @MethodSource("tooOld")
  void aContractOlderThanTheConfigRequiresIsRefusedIt(String name, int contract) throws Exception {
    Rendering rendering =
        Renderer.render(RendererGoldenTest.input(name, false), RendererGoldenTest.CLUSTERS);
    assertThat(ContractFields.CURRENT.render(rendering.config(), contract))
        .isInstanceOf(ContractRendering.Refused.class);
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
  @MethodSource("forContract1")
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
