package dev.sluice.api.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every x-kubernetes-validations rule of the committed CRDs compiles against its node's schema
 * type, and a rule the validator cannot evaluate (an undeclared function, a field the schema does
 * not have, an unsupported option) stops the CRD from loading instead of passing silently.
 */
class CelRulesTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"proxyroutes.sluice.dev-v1.yml", "offloadagents.sluice.dev-v1.yml"})
  void everyRuleInTheCrdCompiles(String file) {
    JsonNode crd = SluiceCrds.crd(file);
    List<String> written = new ArrayList<>();
    collectRules(crd, written);
    CrdValidator validator = CrdValidator.of(crd);
    assertThat(written).isNotEmpty();
    assertThat(validator.rules()).containsExactlyInAnyOrderElementsOf(written);
  }

  @Test
  void bothKindsLoadFromTheClasspath() {
    assertThat(SluiceCrds.all()).containsOnlyKeys("ProxyRoute", "OffloadAgent");
    assertThat(SluiceCrds.forKind("ProxyRoute").plural()).isEqualTo("proxyroutes");
  }

  @Test
  void aRuleWithAnUnknownFunctionFailsToLoad() {
    assertThatThrownBy(() -> CrdValidator.of(crdWithRule("isURL(self.url)")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spec")
        .hasMessageContaining("isURL(self.url)")
        .hasMessageContaining("undeclared reference to 'isURL'");
    assertThatThrownBy(() -> CrdValidator.of(crdWithRule("self.url.shout() == 'x'")))
        .hasMessageContaining("shout");
  }

  @Test
  void theStringsLibraryKubernetesHasCompiles() {
    // Kubernetes' CEL environment includes the strings extension; Gateway API's CRDs use split.
    assertThat(
            CrdValidator.of(crdWithRule("self.url.split('/')[0].lowerAscii().size() < 253"))
                .rules())
        .contains("self.url.split('/')[0].lowerAscii().size() < 253");
  }

  @Test
  void aRuleNamingAFieldTheSchemaLacksFailsToLoad() {
    assertThatThrownBy(() -> CrdValidator.of(crdWithRule("self.uri == 'x'")))
        .hasMessageContaining("undefined field 'uri'");
  }

  @Test
  void aRuleThatIsNotBooleanOrUsesAnUnsupportedOptionFailsToLoad() {
    assertThatThrownBy(() -> CrdValidator.of(crdWithRule("self.url")))
        .hasMessageContaining("must evaluate to bool, not string");
    assertThatThrownBy(
            () ->
                CrdValidator.of(
                    Objects.tree(
                        CRD.formatted(
                            "[{rule: \"self.url == oldSelf.url\", optionalOldSelf: true}]"))))
        .hasMessageContaining("optionalOldSelf is not supported");
  }

  @Test
  void transitionRulesRunOnlyOnUpdatesMessageExpressionsAndFieldPathsShapeTheError() {
    CrdValidator validator =
        CrdValidator.of(
            Objects.tree(
                CRD.formatted(
                    "[{rule: \"self.url == oldSelf.url\", message: immutable, fieldPath: .url,"
                        + " reason: FieldValueForbidden}, {rule: \"self.url.size() < 5\","
                        + " messageExpression: \"'url ' + self.url + ' is too long'\"}]")));
    var created = Objects.yaml("{apiVersion: t.dev/v1, kind: T, spec: {url: abc}}");
    assertThat(validator.admit(created, null, false).errors()).isEmpty();
    var changed = Objects.yaml("{apiVersion: t.dev/v1, kind: T, spec: {url: abcdef}}");
    assertThat(validator.admit(changed, created, false).errors())
        .extracting(FieldError::toString)
        .containsExactly(
            "spec.url: Forbidden: immutable",
            "spec: Invalid value: \"object\": url abcdef is too long");
  }

  static final String CRD =
      """
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata: {name: ts.t.dev}
      spec:
        group: t.dev
        names: {kind: T, plural: ts}
        scope: Namespaced
        versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      url: {type: string}
                    x-kubernetes-validations: %s
      """;

  static JsonNode crdWithRule(String rule) {
    return Objects.tree(CRD.formatted("[{rule: \"" + rule + "\"}]"));
  }

  static void collectRules(JsonNode node, List<String> out) {
    if (node.has("x-kubernetes-validations")) {
      node.get("x-kubernetes-validations").forEach(r -> out.add(r.get("rule").asText()));
    }
    node.forEach(child -> collectRules(child, out));
  }
}
