package dev.sluice.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A sidecar reads what the config service sends as the contract it speaks says: fields it does not
 * know are ignored and named where that is safe, refused where they decide routing or security, and
 * a config requiring a later contract is refused naming both versions.
 */
class ConfigDecoderTest {
  static final String BASE =
      """
      {"version": 1,
       "listeners": [{"name": "http", "address": "127.0.0.1:10080"%s}],
       "rules": [{"name": "a", "listener": "http",
                  "matches": [{"path": {"type": "Prefix", "value": "/"}%s}],
                  "upstream": {"endpoints": ["127.0.0.1:8080"]%s},
                  "actions": [{"deny": {"when": {"variable": "txn.waf.blocked", "value": "true"}%s}}]%s}]%s}
      """;

  /** BASE with {@code extra} spliced in at one of its six places, the others empty. */
  static String with(int place, String extra) {
    Object[] parts = {"", "", "", "", "", ""};
    parts[place] = extra;
    return BASE.formatted(parts);
  }

  static final int LISTENER = 0;
  static final int MATCH = 1;
  static final int UPSTREAM = 2;
  static final int DENY = 3;
  static final int RULE = 4;
  static final int TOP = 5;

  static final ConfigDecoder V1 = new ConfigDecoder(1, ContractFields.CURRENT);
  static final ConfigDecoder V2 = new ConfigDecoder(2, ContractFields.CURRENT);
  static final ConfigDecoder CURRENT = ConfigDecoder.current();

  @Test
  void aConfigWithOnlyKnownFieldsIgnoresNothing() throws Exception {
    ConfigDecoder.Decoded decoded = CURRENT.decode(with(TOP, ""), "test");
    assertThat(decoded.ignored()).isEmpty();
    assertThat(decoded.config())
        .isEqualTo(SidecarConfigCodec.readJson(with(TOP, ""), "the strict reader"));
  }

  static Stream<Arguments> ignoredFields() {
    return Stream.of(
        Arguments.of("top level", TOP, ", \"mirror\": {\"to\": \"x\"}", "mirror"),
        Arguments.of("a rule", RULE, ", \"description\": \"shop\"", "rules[0].description"),
        Arguments.of(
            "an upstream", UPSTREAM, ", \"slowStart\": \"30s\"", "rules[0].upstream.slowStart"),
        Arguments.of(
            "a listener", LISTENER, ", \"proxyProtocol\": true", "listeners[0].proxyProtocol"));
  }

  @ParameterizedTest(name = "an unknown field in {0} is ignored and named")
  @MethodSource("ignoredFields")
  void unknownFieldsOutsideRoutingAndSecurityAreIgnored(
      String where, int place, String extra, String path) throws Exception {
    ConfigDecoder.Decoded decoded = CURRENT.decode(with(place, extra), "test");
    assertThat(decoded.ignored()).containsExactly(path);
    assertThat(decoded.config().withRevision(null))
        .as("the config runs as if the field were not there")
        .isEqualTo(CURRENT.decode(with(TOP, ""), "test").config().withRevision(null));
  }

  static Stream<Arguments> refusedFields() {
    return Stream.of(
        Arguments.of(
            "a match", MATCH, ", \"sourceCidr\": \"10.0.0.0/8\"", "rules[0].matches[0].sourceCidr"),
        Arguments.of("a deny", DENY, ", \"unless\": \"x\"", "rules[0].actions[0].deny.unless"));
  }

  @ParameterizedTest(name = "an unknown field in {0} is refused")
  @MethodSource("refusedFields")
  void unknownFieldsThatDecideRoutingOrSecurityAreRefused(
      String where, int place, String extra, String path) {
    InvalidConfigException refused =
        catchThrowableOfType(
            InvalidConfigException.class, () -> CURRENT.decode(with(place, extra), "test"));
    assertThat(refused).isNotNull();
    assertThat(refused.problems()).hasSize(1);
    ConfigProblem problem = refused.problems().get(0);
    assertThat(problem.path()).isEqualTo(path);
    assertThat(problem.found()).isEqualTo("unknown field");
    assertThat(problem.expected())
        .contains("this sidecar speaks contract " + ContractVersions.CURRENT);
  }

  @Test
  void strictSectionsCoverEverythingBelowThemAndNothingBeside() {
    assertThat(ConfigDecoder.strict("rules[3].matches[0].headers[1].foo")).isTrue();
    assertThat(ConfigDecoder.strict("rules[0].offload[0].foo")).isTrue();
    assertThat(ConfigDecoder.strict("agents[0].messages[0].foo")).isTrue();
    assertThat(ConfigDecoder.strict("listeners[0].tls.clientCa")).isTrue();
    assertThat(ConfigDecoder.strict("rules[0].upstream.tls.pin")).isTrue();
    assertThat(ConfigDecoder.strict("rules[0].matchesV2")).isFalse();
    assertThat(ConfigDecoder.strict("rules[0].upstream.tlsHint")).isFalse();
    assertThat(ConfigDecoder.strict("agentsSeen")).isFalse();
  }

  @Test
  void aConfigRequiringALaterContractIsRefusedNamingBothVersions() {
    InvalidConfigException refused =
        catchThrowableOfType(
            InvalidConfigException.class,
            () ->
                V2.decode(
                    with(TOP, ", \"mirror\": 1").replace("\"version\": 1", "\"version\": 3"),
                    "svc"));
    assertThat(refused.problems())
        .containsExactly(
            new ConfigProblem(
                "version",
                "3",
                "at most 2, the contract version this sidecar speaks; a config that requires"
                    + " contract 3 needs a newer sidecar image"));
    assertThat(refused.getMessage()).startsWith("svc: ");
  }

  @Test
  void theRenamedRoutesListIsStillRefused() {
    InvalidConfigException refused =
        catchThrowableOfType(
            InvalidConfigException.class,
            () -> CURRENT.decode(with(TOP, ", \"routes\": []"), "svc"));
    assertThat(refused.problems())
        .containsExactly(
            new ConfigProblem("routes", "renamed", "rules, the same list under its new name"));
  }

  @Test
  void wrongTypesAreStillProblemsWithTheirPath() {
    InvalidConfigException refused =
        catchThrowableOfType(
            InvalidConfigException.class,
            () -> CURRENT.decode(with(TOP, "").replace("\"127.0.0.1:10080\"", "[1]"), "svc"));
    assertThat(refused.problems())
        .extracting(ConfigProblem::path)
        .containsExactly("listeners[0].address");
  }

  /**
   * The v2 view of a config with an origin, as the operator sends it to a sidecar of this build.
   */
  static String v2Rendering() throws Exception {
    SidecarConfig config =
        SidecarConfigCodec.readJson(
            with(TOP, ", \"origin\": {\"proxyRoutes\": [\"shop/shop\"]}"), "v2");
    assertThat(config.origin()).isNotNull();
    ContractRendering rendering = ContractFields.CURRENT.render(config, 2);
    return ((ContractRendering.Sendable) rendering).json();
  }

  @Test
  void aSidecarSpeakingContract1IgnoresAndNamesTheFieldsOfContract2() throws Exception {
    String v2 = v2Rendering();
    ConfigDecoder.Decoded asV1 = V1.decode(v2, "v2 rendering");
    ConfigDecoder.Decoded asV2 = V2.decode(v2, "v2 rendering");
    assertThat(asV1.ignored()).containsExactly("origin");
    assertThat(asV1.config().origin()).isNull();
    assertThat(asV1.config().revision())
        .as("the revision is the operator's, whatever the sidecar ignored")
        .isEqualTo(asV2.config().revision());
    assertThat(asV2.ignored()).isEmpty();
    assertThat(asV2.config().origin()).isEqualTo(new ConfigOrigin(List.of("shop/shop")));
  }

  @Test
  void aSidecarSpeakingContract2IgnoresAndNamesTheAccessLogAndTracingOfContract3()
      throws Exception {
    SidecarConfig config =
        SidecarConfigCodec.readJson(
            with(
                RULE,
                ", \"accessLog\": {\"headers\": [\"x-request-id\"], \"includeQuery\": true},"
                    + " \"tracing\": {\"createWhenAbsent\": false}"),
            "v3");
    String v3 = ((ContractRendering.Sendable) ContractFields.CURRENT.render(config, 3)).json();
    ConfigDecoder.Decoded asV2 = V2.decode(v3, "v3 rendering");
    assertThat(asV2.ignored()).containsExactly("rules[0].accessLog", "rules[0].tracing");
    assertThat(asV2.config().rules().get(0).accessLog()).isEqualTo(RuleAccessLog.DEFAULT);
    ConfigDecoder.Decoded asV3 = CURRENT.decode(v3, "v3 rendering");
    assertThat(asV3.ignored()).isEmpty();
    assertThat(asV3.config().rules().get(0).accessLog().headers()).containsExactly("x-request-id");
    assertThat(asV3.config().rules().get(0).tracing().createWhenAbsent()).isFalse();
    assertThat(asV2.config().revision())
        .as("the revision is the operator's, whatever the sidecar ignored")
        .isEqualTo(asV3.config().revision());
  }

  @Test
  void aMustUnderstandFieldOfALaterContractIsRefusedEvenUnderAnOlderVersion() {
    ContractFields table =
        ContractFields.CURRENT.with(
            new ContractField(
                "rules[].actions",
                ContractFieldsTest.NEXT,
                ContractField.Handling.MUST_UNDERSTAND));
    InvalidConfigException refused =
        catchThrowableOfType(
            InvalidConfigException.class,
            () -> new ConfigDecoder(2, table).decode(with(TOP, ""), "svc"));
    assertThat(refused.problems())
        .containsExactly(
            new ConfigProblem(
                "rules[0].actions",
                "a field of contract " + ContractFieldsTest.NEXT,
                "contract 2 at most, the one this sidecar speaks"));
  }
}
