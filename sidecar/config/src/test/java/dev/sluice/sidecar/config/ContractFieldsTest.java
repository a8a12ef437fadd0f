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
  static final ContractFields ACTIONS_IN_3 =
      ContractFields.CURRENT.with(
          new ContractField("rules[].actions", 3, ContractField.Handling.MUST_UNDERSTAND));

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

  @Test
  void aMustUnderstandFieldInUseIsNeverSentToAnOlderContract() throws Exception {
    SidecarConfig config = full();
    assertThat(config.rules().get(0).actions()).isNotEmpty();
    ContractRendering rendering = ACTIONS_IN_3.render(config, 2);
    assertThat(rendering).isInstanceOf(ContractRendering.Refused.class);
    var refused = (ContractRendering.Refused) rendering;
    assertThat(refused.requires()).isEqualTo(3);
    assertThat(refused.fields()).containsExactly("rules[].actions");
    assertThat(refused.describe()).isEqualTo("rules[0].actions (contract 3)");
  }

  @Test
  void aMustUnderstandFieldInUseSetsTheVersionTheConfigRequires() throws Exception {
    SidecarConfig config = full();
    assertThat(ACTIONS_IN_3.required(config)).isEqualTo(3);
    var rendering = (ContractRendering.Sendable) ACTIONS_IN_3.render(config, 3);
    assertThat(rendering.requires()).isEqualTo(3);
    assertThat(rendering.json()).startsWith("{\"version\":3,");
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
    assertThat(ACTIONS_IN_3.required(config)).isEqualTo(1);
    var rendering = (ContractRendering.Sendable) ACTIONS_IN_3.render(config, 2);
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
}
