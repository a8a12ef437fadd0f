package dev.sluice.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.Stream;

/**
 * The valid objects the rule variants start from, the {@link Variant} they describe and the RFC
 * 7386 merge that applies one, shared by {@link V1alpha1RuleVariantsTest}, {@link
 * V1alpha2RuleVariantsTest}, {@link OffloadAgentRuleVariantsTest} and {@link RuleCoverageTest}.
 */
final class RuleVariants {
  static final String ROUTE =
      """
      apiVersion: sluice.dev/v1alpha1
      kind: ProxyRoute
      metadata: {name: web, namespace: shop}
      spec:
        selector: {matchLabels: {app: web}}
        listener: {port: 8080}
        rules:
          - name: a
            backend: {service: {name: web, port: 80}}
      """;
  static final String ROUTE_V2 =
      """
      apiVersion: sluice.dev/v1alpha2
      kind: ProxyRoute
      metadata: {name: web, namespace: shop}
      spec:
        selector: {matchLabels: {app: web}}
        listener: {port: 8080}
        rules:
          - name: a
            backendRefs: [{name: web, port: 80}]
      """;
  static final String AGENT =
      """
      apiVersion: sluice.dev/v1alpha1
      kind: OffloadAgent
      metadata: {name: waf, namespace: shop}
      spec:
        endpoints: [10.0.0.2:12345]
        timeouts: {processing: 300ms}
        messages: [{name: check, args: [{name: src, value: src}]}]
      """;

  /**
   * An invalid variant: {@code patch} merged into a valid object's spec is refused with exactly
   * {@code error}, by the rule whose {@code message} is {@code covers}.
   */
  record Variant(String name, String kind, String patch, String error, String covers) {
    Variant(String name, String kind, String patch, String error) {
      this(name, kind, patch, error, error.substring(error.indexOf("\": ") + 3));
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static final String RULE0 = "spec.rules[0]";
  static final String V2 = "ProxyRoute v1alpha2";
  static final String OBJECT = ": Invalid value: \"object\": ";

  /** The error of hosts named both in spec.hostnames and in a match, in either version. */
  static final String TWO_PLACES =
      ": Invalid value: \"object\": rules[].matches[].host is not allowed with spec.hostnames:"
          + " name the hosts in one of the two places";

  private RuleVariants() {}

  /** Every variant of every kind, for {@link RuleCoverageTest#everyRuleHasAVariant}. */
  static List<Variant> all() {
    return Stream.of(
            V1alpha1RuleVariantsTest.variants(),
            V1alpha2RuleVariantsTest.variants(),
            CorsVariantsTest.variants(),
            OffloadAgentRuleVariantsTest.variants())
        .flatMap(List::stream)
        .toList();
  }

  /** Merges the variant's patch into its kind's valid object and expects exactly its error. */
  static void assertRefusedByItsRule(Variant variant) {
    ObjectNode object =
        switch (variant.kind()) {
          case "ProxyRoute" -> base(ROUTE);
          case V2 -> base(ROUTE_V2);
          default -> base(AGENT);
        };
    merge((ObjectNode) object.get("spec"), Objects.yaml(variant.patch()));
    String kind = object.path("kind").asText();
    var errors = SluiceCrds.forKind(kind).admit(object, null, false).errors();
    assertThat(errors).extracting(FieldError::toString).containsExactly(variant.error());
  }

  static ObjectNode base(String yaml) {
    return Objects.yaml(yaml);
  }

  /** RFC 7386 merge: objects merge, null removes, anything else replaces. */
  static void merge(ObjectNode target, JsonNode patch) {
    patch
        .properties()
        .forEach(
            field -> {
              JsonNode value = field.getValue();
              JsonNode present = target.get(field.getKey());
              if (value.isNull()) {
                target.remove(field.getKey());
              } else if (value.isObject() && present != null && present.isObject()) {
                merge((ObjectNode) present, value);
              } else {
                target.set(field.getKey(), value);
              }
            });
  }

  static void collectMessages(JsonNode node, List<String> out) {
    if (node.has("x-kubernetes-validations")) {
      node.get("x-kubernetes-validations").forEach(r -> out.add(r.get("message").asText()));
    }
    node.forEach(child -> collectMessages(child, out));
  }

  static Variant route(String name, String patch, String error) {
    return new Variant(name, "ProxyRoute", patch, error);
  }

  /** A variant of the route's first rule: the patch merges into rules[0]. */
  static Variant rule(String name, String patch, String error) {
    ObjectNode rule = Objects.yaml("{name: a, backend: {service: {name: web, port: 80}}}");
    merge(rule, Objects.yaml(patch));
    return new Variant(name, "ProxyRoute", "{rules: [" + rule + "]}", RULE0 + error);
  }

  /** A variant of the v1alpha2 route's first rule: the patch merges into rules[0]. */
  static Variant ruleV2(String name, String patch, String error) {
    ObjectNode rule = Objects.yaml("{name: a, backendRefs: [{name: web, port: 80}]}");
    merge(rule, Objects.yaml(patch));
    return new Variant(name, V2, "{rules: [" + rule + "]}", RULE0 + error);
  }

  static Variant agent(String name, String patch, String error) {
    return new Variant(name, "OffloadAgent", patch, error);
  }
}
