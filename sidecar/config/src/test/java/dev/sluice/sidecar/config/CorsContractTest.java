package dev.sluice.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Contract 4's {@code cors} is must-understand: a config using it requires contract 4, is never
 * rendered for a contract-3 sidecar (which would forward preflights), and an unknown field inside
 * it is refused, not ignored.
 */
class CorsContractTest {
  static SidecarConfig cors() throws InvalidConfigException {
    return SidecarConfigCodec.read(Fixtures.CONTRACT.resolve("valid/cors.yaml"));
  }

  @Test
  void aConfigUsingCorsRequiresContract4() throws Exception {
    assertThat(ContractFields.CURRENT.required(cors())).isEqualTo(4);
  }

  @Test
  void aContract3SidecarIsNeverSentIt() throws Exception {
    ContractRendering rendering = ContractFields.CURRENT.render(cors(), 3);
    assertThat(rendering).isInstanceOf(ContractRendering.Refused.class);
    List<String> needed =
        ((ContractRendering.Refused) rendering)
            .needed().stream().map(ContractRendering.Needed::path).toList();
    assertThat(needed).containsExactly("rules[0].cors", "rules[1].cors");
  }

  @Test
  void aContract4SidecarGetsItAsItIs() throws Exception {
    SidecarConfig config = cors();
    var rendering = (ContractRendering.Sendable) ContractFields.CURRENT.render(config, 4);
    assertThat(ConfigDecoder.current().decode(rendering.json(), "svc").config()).isEqualTo(config);
    assertThat(config.rules().get(1).cors())
        .isEqualTo(new Cors(List.of("*"), false, List.of(), List.of(), List.of(), 5));
  }

  @Test
  void anUnknownFieldInsideCorsIsRefused() throws Exception {
    String json =
        SidecarConfigCodec.toJson(cors()).replace("\"maxAge\":600", "\"maxAge\":600,\"vary\":1");
    InvalidConfigException refused =
        catchThrowableOfType(
            InvalidConfigException.class, () -> ConfigDecoder.current().decode(json, "svc"));
    assertThat(refused).isNotNull();
    assertThat(refused.problems())
        .extracting(ConfigProblem::toString)
        .containsExactly(
            "rules[0].cors.vary: unknown field (expected: one of [allowCredentials, allowHeaders,"
                + " allowMethods, allowOrigins, exposeHeaders, maxAge]; this sidecar speaks"
                + " contract 4 and refuses a field it does not know where it decides routing or"
                + " security)");
  }
}
