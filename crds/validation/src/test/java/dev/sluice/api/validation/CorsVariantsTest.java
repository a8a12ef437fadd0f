package dev.sluice.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.validation.RuleVariants.Variant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CORS filter's rules (GEP-1767) in both ProxyRoute versions: a valid one is admitted; {@code
 * *} alone in its list, origins as {@code scheme://host[:port]}, Gateway's methods, and the CORS
 * filter type with its field are checked by the CRD. Its variants count in {@link
 * RuleCoverageTest#everyRuleHasAVariant}.
 */
class CorsVariantsTest {
  private static final String OBJECT = RuleVariants.OBJECT;
  private static final String ALONE =
      "cors: * stands for every value and must be alone in its list";

  static List<Variant> variants() {
    return List.of(
        rule(
            "a wildcard origin beside another",
            "{cors: {allowOrigins: [\"*\", \"https://a.example\"]}}",
            ".cors" + OBJECT + ALONE),
        rule(
            "a wildcard method beside another",
            "{cors: {allowOrigins: [\"https://a.example\"], allowMethods: [GET, \"*\"]}}",
            ".cors" + OBJECT + ALONE),
        ruleV2(
            "a CORS filter without cors",
            "{filters: [{type: CORS}]}",
            ".filters[0]" + OBJECT + "filters[].cors must be set when type is CORS, and only then"),
        ruleV2(
            "v1alpha2 a wildcard header beside another",
            "{filters: [{type: CORS, cors: {allowHeaders: [x-a, \"*\"]}}]}",
            ".filters[0].cors" + OBJECT + ALONE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void eachVariantIsRefusedByItsRule(Variant variant) {
    assertThat(errors(variant.kind(), variant.patch())).containsExactly(variant.error());
  }

  @Test
  void aCorsFilterAsGatewayWritesItIsAdmittedInBothVersions() {
    String cors =
        "{allowOrigins: [\"https://app.example.com\", \"https://*.example.org\","
            + " \"http://localhost:3000\"], allowCredentials: true, allowMethods: [GET, PUT],"
            + " allowHeaders: [\"*\"], exposeHeaders: [x-trace], maxAge: 600}";
    assertThat(errors("ProxyRoute", rulePatch("{cors: " + cors + "}", false))).isEmpty();
    assertThat(
            errors(
                RuleVariants.V2, rulePatch("{filters: [{type: CORS, cors: " + cors + "}]}", true)))
        .isEmpty();
  }

  @Test
  void originsMethodsAndMaxAgeOutsideGatewaysShapesAreRefusedByTheSchema() {
    List<String> errors =
        errors(
            "ProxyRoute",
            rulePatch(
                "{cors: {allowOrigins: [\"example.com\", \"https://a.example/path\","
                    + " \"https://a.example:65536\"],"
                    + " allowMethods: [get], maxAge: 0}}",
                false));
    assertThat(errors)
        .hasSize(5)
        .anySatisfy(e -> assertThat(e).startsWith("spec.rules[0].cors.allowOrigins[0]"))
        .anySatisfy(e -> assertThat(e).startsWith("spec.rules[0].cors.allowOrigins[1]"))
        .anySatisfy(e -> assertThat(e).startsWith("spec.rules[0].cors.allowOrigins[2]"))
        .anySatisfy(e -> assertThat(e).startsWith("spec.rules[0].cors.allowMethods[0]"))
        .anySatisfy(e -> assertThat(e).startsWith("spec.rules[0].cors.maxAge"));
  }

  private static List<String> errors(String kind, String patch) {
    ObjectNode object =
        RuleVariants.base(kind.equals("ProxyRoute") ? RuleVariants.ROUTE : RuleVariants.ROUTE_V2);
    RuleVariants.merge((ObjectNode) object.get("spec"), Objects.yaml(patch));
    return SluiceCrds.forKind("ProxyRoute").admit(object, null, false).errors().stream()
        .map(FieldError::toString)
        .toList();
  }

  private static String rulePatch(String patch, boolean v2) {
    ObjectNode rule =
        Objects.yaml(
            v2
                ? "{name: a, backendRefs: [{name: web, port: 80}]}"
                : "{name: a, backend: {service: {name: web, port: 80}}}");
    RuleVariants.merge(rule, Objects.yaml(patch));
    return "{rules: [" + rule + "]}";
  }

  private static Variant rule(String name, String patch, String error) {
    return new Variant(name, "ProxyRoute", rulePatch(patch, false), RuleVariants.RULE0 + error);
  }

  private static Variant ruleV2(String name, String patch, String error) {
    return new Variant(name, RuleVariants.V2, rulePatch(patch, true), RuleVariants.RULE0 + error);
  }
}
