package dev.sluice.api.validation;

import static dev.sluice.api.validation.RuleVariants.OBJECT;
import static dev.sluice.api.validation.RuleVariants.ROUTE;
import static dev.sluice.api.validation.RuleVariants.TWO_PLACES;
import static dev.sluice.api.validation.RuleVariants.assertRefusedByItsRule;
import static dev.sluice.api.validation.RuleVariants.base;
import static dev.sluice.api.validation.RuleVariants.merge;
import static dev.sluice.api.validation.RuleVariants.route;
import static dev.sluice.api.validation.RuleVariants.rule;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.validation.RuleVariants.Variant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every CEL rule of the v1alpha1 ProxyRoute refuses its invalid variant of the valid route, with
 * its own message at its own node; a route may use mTLS with a header of its own choosing.
 */
class V1alpha1RuleVariantsTest {
  static List<Variant> variants() {
    return List.of(
        route(
            "hostnames and a match host",
            "{hostnames: [a.example], rules: [{name: a, matches: [{host: b.example}], backend:"
                + " {service: {name: web, port: 80}}}]}",
            "spec" + TWO_PLACES),
        rule(
            "a weighted backend with service and endpoints",
            "{backend: null, backends: [{service: {name: web, port: 80}, endpoints: [\"10.0.0.1:80\"]}]}",
            ".backends[0]"
                + OBJECT
                + "a weighted backend needs exactly one of service and endpoints"),
        rule(
            "a weighted backend with tls over http1",
            "{backend: null, backends: [{endpoints: [\"10.0.0.1:80\"], tls: {serverName: web}}]}",
            ".backends[0]" + OBJECT + "backends[].tls is only allowed with protocol h2"),
        rule(
            "a mirror with service and endpoints",
            "{mirrors: [{service: {name: web, port: 80}, endpoints: [\"10.0.0.1:80\"]}]}",
            ".mirrors[0]" + OBJECT + "a mirror needs exactly one of service and endpoints"),
        rule(
            "a mirror with tls over http1",
            "{mirrors: [{endpoints: [\"10.0.0.1:80\"], tls: {serverName: web}}]}",
            ".mirrors[0]" + OBJECT + "mirrors[].tls is only allowed with protocol h2"),
        rule(
            "a mirror with percent and fraction",
            "{mirrors: [{endpoints: [\"10.0.0.1:80\"], percent: 5, fraction: {numerator: 1}}]}",
            ".mirrors[0]"
                + OBJECT
                + "Only one of percent or fraction may be specified in mirrors[]"),
        rule(
            "a fraction over one",
            "{mirrors: [{endpoints: [\"10.0.0.1:80\"], fraction: {numerator: 3, denominator: 2}}]}",
            ".mirrors[0].fraction"
                + OBJECT
                + "fraction.numerator must not exceed fraction.denominator"),
        rule(
            "a burst under the rate",
            "{rateLimit: {requests: 10, burst: 5}}",
            ".rateLimit" + OBJECT + "rateLimit.burst must be at least rateLimit.requests"),
        rule(
            "a header set and removed",
            "{requestHeaders: {set: [{name: x-a, value: one}], remove: [x-a]}}",
            ".requestHeaders"
                + OBJECT
                + "a header name may appear once across set, add and remove"),
        rule(
            "ReplaceFullPath without replaceFullPath",
            "{rewrite: {path: {type: ReplaceFullPath}}}",
            ".rewrite.path"
                + OBJECT
                + "replaceFullPath must be set when type is ReplaceFullPath, and only then"),
        rule(
            "ReplacePrefixMatch without replacePrefixMatch",
            "{matches: [{path: {value: /a}}], rewrite: {path: {type: ReplacePrefixMatch}}}",
            ".rewrite.path"
                + OBJECT
                + "replacePrefixMatch must be set when type is ReplacePrefixMatch, and only then"),
        rule(
            "neither backend nor redirect",
            "{backend: null}",
            "" + OBJECT + "a rule needs exactly one of backend, backends and redirect"),
        rule(
            "a redirect with a rewrite",
            "{backend: null, redirect: {scheme: https}, rewrite: {hostname: a}}",
            ""
                + OBJECT
                + "rules[].redirect is answered by the sidecar: no rewrite, requestHeaders, responseHeaders or mirrors with it"),
        rule(
            "ReplacePrefixMatch without a Prefix match",
            "{rewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}}}",
            ""
                + OBJECT
                + "ReplacePrefixMatch needs every match of the rule to have a Prefix path (the prefix it replaces)"),
        route(
            "HTTPS without tls",
            "{listener: {port: 8443, protocol: HTTPS}}",
            "spec.listener: Invalid value: \"object\": listener.tls is required when protocol is"
                + " HTTPS and not allowed when it is HTTP"),
        route(
            "resetWindow over an hour",
            "{listener: {port: 8080, http2: {resetWindow: 2h}}}",
            "spec.listener.http2: Invalid value: \"object\": http2.resetWindow must be whole"
                + " seconds from 1s to 1h"),
        route(
            "identityHeader a header the proxy owns",
            "{listener: {port: 8443, protocol: HTTPS, tls: {secretName: web-tls,"
                + " clientCertificates: {caCertificateRefs: [{name: client-ca}],"
                + " identityHeader: X-Forwarded-For}}}}",
            "spec.listener.tls.clientCertificates: Invalid value: \"object\":"
                + " clientCertificates.identityHeader must not be a header the proxy owns"
                + " (connection, content-length, expect, host, keep-alive, proxy-*, te,"
                + " traceparent, tracestate, trailer, transfer-encoding, upgrade, via,"
                + " x-forwarded-for, x-forwarded-proto)"),
        route(
            "an idle timeout of 0s",
            "{listener: {port: 8080, limits: {idleTimeout: 0s}}}",
            "spec.listener.limits: Invalid value: \"object\": listener limits must be greater"
                + " than 0"),
        route(
            "Exists with values",
            "{selector: {matchExpressions: [{key: app, operator: Exists, values: [web]}]}}",
            "spec.selector.matchExpressions[0]: Invalid value: \"object\": values must be"
                + " non-empty for In and NotIn and empty for Exists and DoesNotExist"),
        route(
            "batchSize 0%",
            "{rollout: {batchSize: 0%}}",
            "spec.rollout: Invalid value: \"object\": rollout.batchSize must be a number >= 1 or a"
                + " percentage from 1% to 100%"),
        route(
            "batchSize 0",
            "{rollout: {batchSize: 0}}",
            "spec.rollout: Invalid value: \"object\": rollout.batchSize must be a number >= 1 or a"
                + " percentage from 1% to 100%"),
        route(
            "progressDeadline 5s",
            "{rollout: {progressDeadline: 5s}}",
            "spec.rollout: Invalid value: \"object\": rollout.progressDeadline must be at least"
                + " 10s"),
        rule(
            "Exists with a value",
            "{actions: [{deny: {when: {variable: txn.a.b, operator: Exists, value: x}}}]}",
            ".actions[0].deny.when: Invalid value: \"object\": when.value is required for Equals,"
                + " NotEquals, GreaterThan and LessThan, and not allowed for Exists and"
                + " NotExists"),
        rule(
            "GreaterThan a word",
            "{actions: [{deny: {when: {variable: txn.a.b, operator: GreaterThan, value: x}}}]}",
            ".actions[0].deny.when: Invalid value: \"object\": when.value must be an integer for"
                + " GreaterThan and LessThan"),
        rule(
            "an action with two kinds",
            "{actions: [{deny: {when: {variable: txn.a.b, operator: Exists}},"
                + " setRequestHeader: {name: X, fromVariable: txn.a.b}}]}",
            ".actions[0]: Invalid value: \"object\": an action needs exactly one of deny,"
                + " setRequestHeader and setResponseHeader"),
        rule(
            "caSecretName with insecureSkipVerify",
            "{backend: {protocol: h2, tls: {insecureSkipVerify: true, caSecretName: ca}}}",
            ".backend.tls: Invalid value: \"object\": backend.tls.caSecretName has no effect with"
                + " insecureSkipVerify: true; set one"),
        rule(
            "service and endpoints",
            "{backend: {endpoints: [10.0.0.1:80]}}",
            ".backend: Invalid value: \"object\": backend needs exactly one of service and"
                + " endpoints"),
        rule(
            "tls on http1",
            "{backend: {tls: {serverName: x}}}",
            ".backend: Invalid value: \"object\": backend.tls is only allowed with protocol h2"),
        rule(
            "Present with a value",
            "{matches: [{headers: [{name: X, type: Present, value: a}]}]}",
            ".matches[0].headers[0]: Invalid value: \"object\": headers[].value is required for"
                + " Exact and RegularExpression and not allowed for Present"),
        rule(
            "Exact path without /",
            "{matches: [{path: {type: Exact, value: api}}]}",
            ".matches[0].path: Invalid value: \"object\": path.value must start with '/' for Exact"
                + " and Prefix matches"),
        rule(
            "Prefix path ending in /",
            "{matches: [{path: {value: /api/}}]}",
            ".matches[0].path: Invalid value: \"object\": path.value of a Prefix match must not"
                + " end with '/' (prefixes match whole segments)"),
        rule(
            "a retry on 404",
            "{retry: {codes: [503, 404]}}",
            ".retry: Invalid value: \"object\": retry.codes must be statuses from 500 to 599"),
        rule(
            "a backoff over maxBackoff",
            "{retry: {backoff: 2s, maxBackoff: 1s}}",
            ".retry: Invalid value: \"object\": retry.perTryTimeout and retry.backoff must be"
                + " greater than 0, and retry.maxBackoff at least retry.backoff"),
        rule(
            "an ejection time of 0s",
            "{outlierDetection: {baseEjectionTime: 0s}}",
            ".outlierDetection: Invalid value: \"object\": outlierDetection.baseEjectionTime must"
                + " be from 1ms to 1h"),
        rule(
            "a maximum ejection time below the default base",
            "{outlierDetection: {maxEjectionTime: 10s}}",
            ".outlierDetection: Invalid value: \"object\": outlierDetection.maxEjectionTime must"
                + " be from baseEjectionTime (default 30s) to 24h"),
        rule(
            "a zero timeout",
            "{timeouts: {connect: 0s}}",
            ".timeouts: Invalid value: \"object\": timeouts must be greater than 0"),
        rule(
            "a backendRequest timeout longer than the exchange timeout",
            "{timeouts: {exchange: 1s, backendRequest: 1500ms}}",
            ".timeouts: Invalid value: \"object\": backendRequest timeout cannot be longer than"
                + " exchange timeout"),
        route(
            "two rules named a",
            "{rules: [{name: a, backend: {service: {name: web, port: 80}}},"
                + " {name: a, backend: {service: {name: web, port: 81}}}]}",
            "spec: Invalid value: \"object\": rules[].name must be unique within the ProxyRoute"),
        new Variant(
            "a header logged twice",
            "ProxyRoute",
            "{accessLog: {headers: [x-request-id, user-agent, x-request-id]}}",
            "spec.accessLog: Invalid value: \"object\": accessLog.headers: \"x-request-id\""
                + " (expected: each header once)",
            "accessLog.headers must not name a header twice"),
        new Variant(
            "a misspelt redacted header",
            "ProxyRoute",
            "{accessLog: {headers: [x-api-key, authorization], redactHeaders: [authorization,"
                + " x-apikey]}}",
            "spec.accessLog: Invalid value: \"object\": accessLog.redactHeaders: \"x-apikey\""
                + " (expected: a header of accessLog.headers; only logged headers are written, and"
                + " a misspelt name would leave the real one in the clear)",
            "accessLog.redactHeaders must name headers listed in accessLog.headers"),
        new Variant(
            "a redacted header and none logged",
            "ProxyRoute",
            "{accessLog: {redactHeaders: [cookie]}}",
            "spec.accessLog: Invalid value: \"object\": accessLog.redactHeaders: \"cookie\""
                + " (expected: a header of accessLog.headers; only logged headers are written, and"
                + " a misspelt name would leave the real one in the clear)",
            "accessLog.redactHeaders must name headers listed in accessLog.headers"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void eachVariantIsRefusedByItsRule(Variant variant) {
    assertRefusedByItsRule(variant);
  }

  @Test
  void clientCertificatesWithAnIdentityHeaderOfTheUsersAreAdmittedAndUnknownKindsOrModesAreNot() {
    ObjectNode route = base(ROUTE);
    merge(
        (ObjectNode) route.get("spec"),
        Objects.yaml(
            "{listener: {port: 8443, protocol: HTTPS, tls: {secretName: web-tls,"
                + " clientCertificates: {caCertificateRefs: [{name: client-ca}, {kind: Secret,"
                + " name: more-cas}], mode: AllowInsecureFallback,"
                + " identityHeader: X-Client-Cert}}}}"));
    assertThat(SluiceCrds.forKind("ProxyRoute").admit(route, null, false).errors()).isEmpty();
    ObjectNode refused = base(ROUTE);
    merge(
        (ObjectNode) refused.get("spec"),
        Objects.yaml(
            "{listener: {port: 8443, protocol: HTTPS, tls: {secretName: web-tls,"
                + " clientCertificates: {caCertificateRefs: [{kind: Service, name: x}],"
                + " mode: AllowAll}}}}"));
    assertThat(SluiceCrds.forKind("ProxyRoute").admit(refused, null, false).errors())
        .extracting(FieldError::toString)
        .anySatisfy(e -> assertThat(e).contains("caCertificateRefs[0].kind"))
        .anySatisfy(e -> assertThat(e).contains("clientCertificates.mode"));
  }
}
