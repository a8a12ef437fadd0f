package dev.sluice.api.validation;

import static dev.sluice.api.validation.RuleVariants.OBJECT;
import static dev.sluice.api.validation.RuleVariants.TWO_PLACES;
import static dev.sluice.api.validation.RuleVariants.V2;
import static dev.sluice.api.validation.RuleVariants.assertRefusedByItsRule;
import static dev.sluice.api.validation.RuleVariants.ruleV2;

import dev.sluice.api.validation.RuleVariants.Variant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every CEL rule of the v1alpha2 ProxyRoute (Gateway API's filters, backendRefs, path matches and
 * timeouts) refuses its invalid variant of the valid route, with its own message at its own node.
 */
class V1alpha2RuleVariantsTest {
  static List<Variant> variants() {
    return List.of(
        new Variant(
            "v1alpha2 hostnames and a match host",
            V2,
            "{hostnames: [a.example], rules: [{name: a, matches: [{host: b.example}], backendRefs:"
                + " [{name: web, port: 80}]}]}",
            "spec" + TWO_PLACES),
        ruleV2(
            "no backendRefs",
            "{backendRefs: null}",
            "" + OBJECT + "rules[].backendRefs needs an entry unless the rule redirects"),
        ruleV2(
            "a redirect with backendRefs",
            "{filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]}",
            "" + OBJECT + "RequestRedirect filter must not be used together with backendRefs"),
        ruleV2(
            "two URLRewrite filters",
            "{filters: [{type: URLRewrite, urlRewrite: {hostname: a}}, {type: URLRewrite, urlRewrite: {hostname: b}}]}",
            ""
                + OBJECT
                + "rules[].filters: RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect, URLRewrite, CORS and LocalRateLimit may each appear once"),
        ruleV2(
            "a redirect with a rewrite",
            "{backendRefs: null, filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}, {type: URLRewrite, urlRewrite: {hostname: b}}]}",
            ""
                + OBJECT
                + "a RequestRedirect is answered by the sidecar: no URLRewrite, RequestHeaderModifier, ResponseHeaderModifier or RequestMirror with it"),
        ruleV2(
            "ReplacePrefixMatch without a PathPrefix match",
            "{filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}}}]}",
            ""
                + OBJECT
                + "ReplacePrefixMatch needs every match of the rule to have a PathPrefix path (the prefix it replaces)"),
        ruleV2(
            "a RequestHeaderModifier filter without requestHeaderModifier",
            "{filters: [{type: RequestHeaderModifier}]}",
            ".filters[0]"
                + OBJECT
                + "filters[].requestHeaderModifier must be set when type is RequestHeaderModifier, and only then"),
        ruleV2(
            "a ResponseHeaderModifier filter without responseHeaderModifier",
            "{filters: [{type: ResponseHeaderModifier}]}",
            ".filters[0]"
                + OBJECT
                + "filters[].responseHeaderModifier must be set when type is ResponseHeaderModifier, and only then"),
        ruleV2(
            "a URLRewrite filter without urlRewrite",
            "{filters: [{type: URLRewrite}]}",
            ".filters[0]"
                + OBJECT
                + "filters[].urlRewrite must be set when type is URLRewrite, and only then"),
        ruleV2(
            "a RequestRedirect filter without requestRedirect",
            "{filters: [{type: RequestRedirect}]}",
            ".filters[0]"
                + OBJECT
                + "filters[].requestRedirect must be set when type is RequestRedirect, and only then"),
        ruleV2(
            "a LocalRateLimit filter without localRateLimit",
            "{filters: [{type: LocalRateLimit}]}",
            ".filters[0]"
                + OBJECT
                + "filters[].localRateLimit must be set when type is LocalRateLimit, and only then"),
        ruleV2(
            "a RequestMirror filter without requestMirror",
            "{filters: [{type: RequestMirror}]}",
            ".filters[0]"
                + OBJECT
                + "filters[].requestMirror must be set when type is RequestMirror, and only then"),
        ruleV2(
            "a v1alpha2 mirror with percent and fraction",
            "{filters: [{type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 80}, percent: 5, fraction: {numerator: 1}}}]}",
            ".filters[0].requestMirror"
                + OBJECT
                + "Only one of percent or fraction may be specified in HTTPRequestMirrorFilter"),
        ruleV2(
            "nine mirrors",
            "{filters: ["
                + "{type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 80}}}, "
                    .repeat(8)
                + "{type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 80}}}]}",
            "" + OBJECT + "rules[].filters: at most 8 RequestMirror filters"),
        ruleV2(
            "a relative Exact path",
            "{matches: [{path: {type: Exact, value: x}}]}",
            ".matches[0].path: Invalid value: \"object\": path.value must start with '/' for"
                + " Exact and PathPrefix matches"),
        ruleV2(
            "a PathPrefix ending in a slash",
            "{matches: [{path: {type: PathPrefix, value: /x/}}]}",
            ".matches[0].path: Invalid value: \"object\": path.value of a PathPrefix match must"
                + " not end with '/' (prefixes match whole segments)"),
        ruleV2(
            "an Offload filter without offload",
            "{filters: [{type: Offload}]}",
            ".filters[0]: Invalid value: \"object\": filters[].offload must be set when type is"
                + " Offload, and only then"),
        ruleV2(
            "a VariableAction filter without variableAction",
            "{filters: [{type: VariableAction}]}",
            ".filters[0]: Invalid value: \"object\": filters[].variableAction must be set when"
                + " type is VariableAction, and only then"),
        ruleV2(
            "a backendRef with name and endpoints",
            "{backendRefs: [{name: web, port: 80, endpoints: [\"10.0.0.1:80\"]}]}",
            ".backendRefs[0]: Invalid value: \"object\": a backendRef needs exactly one of name (a"
                + " Service) and endpoints"),
        ruleV2(
            "a backendRef without port",
            "{backendRefs: [{name: web}]}",
            ".backendRefs[0]: Invalid value: \"object\": backendRefs[].port is required with name"
                + " and not allowed with endpoints"),
        ruleV2(
            "backend tls over h2c",
            "{backendRefs: [{name: web, port: 80, protocol: h2c, tls: {serverName: web}}]}",
            ".backendRefs[0]: Invalid value: \"object\": backendRefs[].tls is only allowed with"
                + " protocol h2"),
        ruleV2(
            "a backendRequest timeout longer than the request timeout",
            "{timeouts: {request: 10s, backendRequest: 11s}}",
            ".timeouts: Invalid value: \"object\": backendRequest timeout cannot be longer than"
                + " request timeout"),
        ruleV2(
            "a v1alpha2 timeout of 0s",
            "{timeouts: {responseHeader: 0s}}",
            ".timeouts: Invalid value: \"object\": timeouts must be greater than 0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void eachVariantIsRefusedByItsRule(Variant variant) {
    assertRefusedByItsRule(variant);
  }
}
