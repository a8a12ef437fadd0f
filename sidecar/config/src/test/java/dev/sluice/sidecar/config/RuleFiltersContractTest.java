package dev.sluice.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Contract 4's query parameter matches, header modifiers, rewrites and redirects are
 * must-understand: a config using them requires contract 4, is never rendered for a contract-3
 * sidecar, and an unknown field inside them is refused, not ignored.
 */
class RuleFiltersContractTest {
  static SidecarConfig filters() throws InvalidConfigException {
    return SidecarConfigCodec.read(Fixtures.CONTRACT.resolve("valid/filters.yaml"));
  }

  @Test
  void aConfigUsingTheFiltersRequiresContract4() throws Exception {
    assertThat(ContractFields.CURRENT.required(filters())).isEqualTo(4);
  }

  @Test
  void aContract3SidecarIsNeverSentThem() throws Exception {
    ContractRendering rendering = ContractFields.CURRENT.render(filters(), 3);
    assertThat(rendering).isInstanceOf(ContractRendering.Refused.class);
    List<String> needed =
        ((ContractRendering.Refused) rendering)
            .needed().stream().map(ContractRendering.Needed::path).toList();
    assertThat(needed)
        .containsExactlyInAnyOrder(
            "rules[0].matches[0].queryParams",
            "rules[0].requestHeaders",
            "rules[0].responseHeaders",
            "rules[0].rewrite",
            "rules[1].redirect",
            "rules[2].redirect");
  }

  @Test
  void aContract4SidecarGetsThemAsTheyAre() throws Exception {
    SidecarConfig config = filters();
    var rendering = (ContractRendering.Sendable) ContractFields.CURRENT.render(config, 4);
    assertThat(rendering.requires()).isEqualTo(4);
    assertThat(ConfigDecoder.current().decode(rendering.json(), "svc").config()).isEqualTo(config);
  }

  @Test
  void aMatchWithoutQueryParametersReadsAndHashesAsBefore() throws Exception {
    SidecarConfig minimal = SidecarConfigCodec.read(Fixtures.CONTRACT.resolve("valid/full.yaml"));
    assertThat(SidecarConfigCodec.toJson(minimal))
        .doesNotContain("queryParams")
        .doesNotContain("requestHeaders")
        .doesNotContain("redirect");
    assertThat(ContractFields.CURRENT.required(minimal)).isEqualTo(1);
  }

  @Test
  void anUnknownFieldInsideARedirectIsRefused() throws Exception {
    String json =
        SidecarConfigCodec.toJson(filters())
            .replace("\"statusCode\":301", "\"statusCode\":301,\"keepMethod\":true");
    InvalidConfigException refused =
        catchThrowableOfType(
            InvalidConfigException.class, () -> ConfigDecoder.current().decode(json, "svc"));
    assertThat(refused).isNotNull();
    assertThat(refused.problems())
        .extracting(ConfigProblem::toString)
        .containsExactly(
            "rules[1].redirect.keepMethod: unknown field (expected: one of [hostname, path, port,"
                + " scheme, statusCode]; this sidecar speaks contract 4 and refuses a field it does"
                + " not know where it decides routing or security)");
  }
}
