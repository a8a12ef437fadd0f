package dev.sluice.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The version table: a config is rendered for an older contract by leaving out the optional fields
 * that contract does not know, and refused when it uses a must-understand one; the version a config
 * declares is the newest contract its must-understand fields need.
 */
class ContractFieldsTest {
  /** The first contract no build knows yet: where the tests' made-up fields arrive. */
  static final int NEXT = ContractVersions.CURRENT + 1;

  /** A table in which deny actions arrived in the next contract, as must-understand. */
  static final ContractFields ACTIONS_IN_NEXT =
      ContractFields.CURRENT.with(
          new ContractField("rules[].actions", NEXT, ContractField.Handling.MUST_UNDERSTAND));

  static SidecarConfig full() throws InvalidConfigException {
    return SidecarConfigCodec.read(Fixtures.CONTRACT.resolve("valid/full.yaml"));
  }

  static SidecarConfig withOrigin(SidecarConfig config) {
    SidecarConfig drafted =
        new SidecarConfig(
            config.version(),
            null,
            config.admin(),
            config.drainTimeout(),
            config.listeners(),
            config.rules(),
            config.agents(),
            new ConfigOrigin(List.of("shop/shop", "shop/api")));
    return drafted.withRevision(Revisions.of(drafted));
  }

  @Test
  void theTableAndTheVersionThisBuildSpeaksAgree() {
    assertThat(ContractFields.CURRENT.newest()).isEqualTo(ContractVersions.CURRENT);
  }

  @Test
  void theCurrentContractGetsTheConfigAsItIs() throws Exception {
    SidecarConfig config = withOrigin(full());
    ContractRendering rendering = ContractFields.CURRENT.render(config, ContractVersions.CURRENT);
    assertThat(rendering)
        .isEqualTo(new ContractRendering.Sendable(SidecarConfigCodec.toJson(config), 1, List.of()));
  }

  @Test
  void aNewerSidecarGetsTheNewestRendering() throws Exception {
    SidecarConfig config = withOrigin(full());
    assertThat(ContractFields.CURRENT.render(config, 7))
        .isEqualTo(new ContractRendering.Sendable(SidecarConfigCodec.toJson(config), 1, List.of()));
  }

  @Test
  void contract1IsSentTheConfigWithoutTheOptionalFieldsOfContract2() throws Exception {
    SidecarConfig config = withOrigin(full());
    var rendering = (ContractRendering.Sendable) ContractFields.CURRENT.render(config, 1);
    assertThat(rendering.dropped()).containsExactly("origin");
    SidecarConfig received = SidecarConfigCodec.readJson(rendering.json(), "v1");
    assertThat(received.origin()).isNull();
    assertThat(received.revision()).isEqualTo(config.revision());
    assertThat(received.withRevision(null))
        .as("exactly what contract 1 had, but the revision")
        .isEqualTo(full().withRevision(null));
  }

  static SidecarConfig telemetry() throws InvalidConfigException {
    return SidecarConfigCodec.read(Fixtures.CONTRACT.resolve("valid/telemetry.yaml"));
  }

  @Test
  void contract2IsSentTheConfigWithoutTheAccessLogAndTracingOfContract3() throws Exception {
    SidecarConfig config = telemetry();
    assertThat(config.rules().get(0).accessLog()).isNotEqualTo(RuleAccessLog.DEFAULT);
    assertThat(config.rules().get(0).tracing()).isNotEqualTo(RuleTracing.DEFAULT);
    var rendering = (ContractRendering.Sendable) ContractFields.CURRENT.render(config, 2);
    assertThat(rendering.requires()).as("optional fields require nothing").isEqualTo(1);
    assertThat(rendering.dropped())
        .containsExactly(
            "rules[0].accessLog", "rules[1].accessLog", "rules[0].tracing", "rules[1].tracing");
    assertThat(rendering.json()).doesNotContain("accessLog", "tracing", "redactHeaders");
    SidecarConfig received =
        new ConfigDecoder(2, ContractFields.CURRENT).decode(rendering.json(), "v2").config();
    assertThat(received.revision()).isEqualTo(config.revision());
    assertThat(received.rules())
        .allSatisfy(
            rule -> {
              assertThat(rule.accessLog()).isEqualTo(RuleAccessLog.DEFAULT);
              assertThat(rule.tracing()).isEqualTo(RuleTracing.DEFAULT);
            });
    assertThat(ContractFields.CURRENT.render(config, 3))
        .as("contract 3 gets it all")
        .isEqualTo(new ContractRendering.Sendable(SidecarConfigCodec.toJson(config), 1, List.of()));
  }

  @Test
  void clientValidationRequiresContract4AndIsNeverSentToAnOlderSidecar() throws Exception {
    SidecarConfig config =
        SidecarConfigCodec.read(Fixtures.CONTRACT.resolve("valid/client-validation.yaml"));
    assertThat(ContractFields.CURRENT.required(config)).isEqualTo(4);
    var refused = (ContractRendering.Refused) ContractFields.CURRENT.render(config, 3);
    assertThat(refused.requires()).isEqualTo(4);
    assertThat(refused.describe())
        .isEqualTo(
            "listeners[0].tls.clientValidation (contract 4), listeners[1].tls.clientValidation"
                + " (contract 4)");
    var sent = (ContractRendering.Sendable) ContractFields.CURRENT.render(config, 4);
    assertThat(sent.requires()).isEqualTo(4);
    assertThat(new ConfigDecoder(4, ContractFields.CURRENT).decode(sent.json(), "v4").config())
        .isEqualTo(config);
  }

  @Test
  void exchangeAndBackendRequestTimeoutsRequireContract4AndAbsentOnesAskNothing() throws Exception {
    SidecarConfig config =
        SidecarConfigCodec.read(Fixtures.CONTRACT.resolve("valid/timeouts.yaml"));
    assertThat(ContractFields.CURRENT.required(config)).isEqualTo(4);
    var refused = (ContractRendering.Refused) ContractFields.CURRENT.render(config, 3);
    assertThat(refused.describe())
        .isEqualTo(
            "rules[0].timeouts.backendRequest (contract 4), rules[1].timeouts.backendRequest"
                + " (contract 4), rules[0].timeouts.exchange (contract 4)");
    var sent = (ContractRendering.Sendable) ContractFields.CURRENT.render(config, 4);
    assertThat(new ConfigDecoder(4, ContractFields.CURRENT).decode(sent.json(), "v4").config())
        .isEqualTo(config);

    SidecarConfig headerTimeoutOnly =
        SidecarConfigCodec.readYaml(
            """
            version: 1
            listeners: [{name: http, address: 127.0.0.1:10080}]
            rules:
              - {name: a, listener: http, upstream: {endpoints: [127.0.0.1:8080]},
                 timeouts: {request: 2s}}
            """,
            "header timeout only");
    assertThat(ContractFields.CURRENT.required(headerTimeoutOnly)).isEqualTo(1);
    assertThat(SidecarConfigCodec.toJson(headerTimeoutOnly))
        .doesNotContain("exchange", "backendRequest");
  }

  @Test
  void accessLogAndTracingAtTheirDefaultsAreLeftOutSoTheRevisionIsAsBefore() throws Exception {
    String before =
        """
        version: 1
        listeners: [{name: http, address: 127.0.0.1:10080}]
        rules: [{name: a, listener: http, upstream: {endpoints: [127.0.0.1:8080]}}]
        """;
    String spelledOut =
        before.replace(
            "upstream:",
            "accessLog: {enabled: true, successSampleRate: 1, headers: [], includeQuery: false},"
                + " tracing: {createWhenAbsent: true, sampleRate: 0.01}, upstream:");
    SidecarConfig plain = SidecarConfigCodec.readYaml(before, "before");
    SidecarConfig explicit = SidecarConfigCodec.readYaml(spelledOut, "spelled out");
    assertThat(explicit).isEqualTo(plain);
    assertThat(explicit.revision()).isEqualTo(plain.revision());
    assertThat(SidecarConfigCodec.toJson(explicit)).doesNotContain("accessLog", "tracing");
    assertThat(plain.rules().get(0).tracing().sampleRate()).isEqualTo(0.01);
  }

  @Test
  void aMustUnderstandFieldInUseIsNeverSentToAnOlderContract() throws Exception {
    SidecarConfig config = full();
    assertThat(config.rules().get(0).actions()).isNotEmpty();
    ContractRendering rendering = ACTIONS_IN_NEXT.render(config, 2);
    assertThat(rendering).isInstanceOf(ContractRendering.Refused.class);
    var refused = (ContractRendering.Refused) rendering;
    assertThat(refused.requires()).isEqualTo(NEXT);
    assertThat(refused.fields()).containsExactly("rules[].actions");
    assertThat(refused.describe()).isEqualTo("rules[0].actions (contract " + NEXT + ")");
  }

  @Test
  void aMustUnderstandFieldInUseSetsTheVersionTheConfigRequires() throws Exception {
    SidecarConfig config = full();
    assertThat(ACTIONS_IN_NEXT.required(config)).isEqualTo(NEXT);
    var rendering = (ContractRendering.Sendable) ACTIONS_IN_NEXT.render(config, NEXT);
    assertThat(rendering.requires()).isEqualTo(NEXT);
    assertThat(rendering.json()).startsWith("{\"version\":" + NEXT + ",");
  }

  @Test
  void aMustUnderstandFieldLeftEmptyAsksNothingAndIsLeftOut() throws Exception {
    SidecarConfig config =
        SidecarConfigCodec.readYaml(
            """
            version: 1
            listeners: [{name: http, address: 127.0.0.1:10080}]
            rules: [{name: a, listener: http, upstream: {endpoints: [127.0.0.1:8080]}}]
            """,
            "no actions");
    assertThat(ACTIONS_IN_NEXT.required(config)).isEqualTo(1);
    var rendering = (ContractRendering.Sendable) ACTIONS_IN_NEXT.render(config, 2);
    assertThat(rendering.dropped()).containsExactly("rules[0].actions");
    assertThat(SidecarConfigCodec.readJson(rendering.json(), "v2")).isEqualTo(config);
  }

  @Test
  void aTableEntryIsCheckedWhenMade() {
    assertThatThrownBy(() -> new ContractField("origin", 1, ContractField.Handling.OPTIONAL))
        .hasMessage(
            "since: 1 (expected: greater than 1, the base contract every field of which every"
                + " sidecar knows)");
    assertThatThrownBy(() -> new ContractField("rules.[]x", 2, ContractField.Handling.OPTIONAL))
        .hasMessageStartingWith("path: \"rules.[]x\" (expected: field names joined by '.'");
    assertThatThrownBy(
            () ->
                new ContractFields(
                    List.of(
                        new ContractField("origin", 2, ContractField.Handling.OPTIONAL),
                        new ContractField("origin", 3, ContractField.Handling.OPTIONAL))))
        .hasMessage("fields: origin twice (expected: each path once)");
  }

  @Test
  void theAnnouncedContractIsReadFromTheHeader() {
    assertThat(ContractVersions.announced(null)).isEqualTo(1);
    assertThat(ContractVersions.announced(" 2 ")).isEqualTo(2);
    assertThat(ContractVersions.announced("9")).isEqualTo(9);
    assertThatThrownBy(() -> ContractVersions.announced("two"))
        .hasMessage("Sluice-Contract: \"two\" (expected: a contract version, an integer from 1)");
    assertThatThrownBy(() -> ContractVersions.announced("0"))
        .hasMessage("Sluice-Contract: \"0\" (expected: a contract version, an integer from 1)");
  }

  /** {@code config} with its first agent's first message asking for {@code sample} too. */
  static SidecarConfig withSample(SidecarConfig config, String sample) throws Exception {
    var tree = SidecarConfigCodec.tree(config.withRevision(null));
    ((com.fasterxml.jackson.databind.node.ArrayNode)
            tree.get("agents").get(0).get("messages").get(0).get("args"))
        .addObject()
        .put("name", "correlation")
        .put("value", sample);
    SidecarConfig changed = SidecarConfigCodec.readJson(SidecarConfigCodec.json(tree), sample);
    assertThat(changed.agents().get(0).messages().get(0).args())
        .extracting(AgentMessage.Argument::value)
        .contains(sample);
    return changed.withRevision(Revisions.of(changed));
  }

  @Test
  void theTraceIdSampleIsAValueOnlyContract3Knows() throws Exception {
    SidecarConfig config = withSample(full(), "trace_id");

    assertThat(ContractFields.CURRENT.required(config)).isEqualTo(3);
    var refused = (ContractRendering.Refused) ContractFields.CURRENT.render(config, 2);
    assertThat(refused.requires()).isEqualTo(3);
    assertThat(refused.fields()).containsExactly("agents[].messages[].args[].value=trace_id");
    assertThat(refused.describe())
        .matches("agents\\[0]\\.messages\\[0]\\.args\\[\\d+]\\.value = trace_id \\(contract 3\\)");
    var sent = (ContractRendering.Sendable) ContractFields.CURRENT.render(config, 3);
    assertThat(sent.dropped()).isEmpty();
    assertThat(SidecarConfigCodec.readJson(sent.json(), "v3").version()).isEqualTo(3);
  }

  @Test
  void otherSamplesOfTheSameFieldAskNothingOfAnOlderSidecar() throws Exception {
    SidecarConfig config = withSample(full(), "src");

    assertThat(ContractFields.CURRENT.required(config)).isEqualTo(1);
    var sent = (ContractRendering.Sendable) ContractFields.CURRENT.render(config, 1);
    assertThat(SidecarConfigCodec.readJson(sent.json(), "v1").agents())
        .as("the field stays: only the value is the later contract's")
        .isEqualTo(config.agents());
  }

  @Test
  void aValueEntryMustBeMustUnderstand() {
    assertThatThrownBy(
            () ->
                new ContractField(
                    "agents[].messages[].args[].value",
                    3,
                    ContractField.Handling.OPTIONAL,
                    "trace_id"))
        .hasMessageContaining("expected: MUST_UNDERSTAND");
  }
}
