package dev.sluice.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every CEL rule of the CRDs refuses at least one invalid variant of a valid object, with its own
 * message at its own node, and accepts the valid objects (the base ones here and every example
 * under examples/). A rule added to a CRD without a variant here fails {@link
 * #everyRuleHasAVariant}.
 */
class RuleVariantsTest {
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

  static List<Variant> variants() {
    return Stream.of(v1alpha1Variants(), v1alpha2Variants(), CorsVariantsTest.variants())
        .flatMap(List::stream)
        .toList();
  }

  static List<Variant> v1alpha2Variants() {
    String twoPlaces =
        ": Invalid value: \"object\": rules[].matches[].host is not allowed with spec.hostnames:"
            + " name the hosts in one of the two places";
    return List.of(
        route(
            "hostnames and a match host",
            "{hostnames: [a.example], rules: [{name: a, matches: [{host: b.example}], backend:"
                + " {service: {name: web, port: 80}}}]}",
            "spec" + twoPlaces),
        new Variant(
            "v1alpha2 hostnames and a match host",
            V2,
            "{hostnames: [a.example], rules: [{name: a, matches: [{host: b.example}], backendRefs:"
                + " [{name: web, port: 80}]}]}",
            "spec" + twoPlaces),
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

  static List<Variant> v1alpha1Variants() {
    return List.of(
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
            "accessLog.redactHeaders must name headers listed in accessLog.headers"),
        agent(
            "a Request message using res.status",
            "{messages: [{name: check, args: [{name: s, value: res.status}]}]}",
            "spec.messages[0]: Invalid value: \"object\": a Request message cannot use res.*"
                + " samples: the response does not exist yet"),
        agent(
            "a Response message using req.body",
            "{messages: [{name: check, event: Response, args: [{name: b, value: req.body(10)}]}]}",
            "spec.messages[0]: Invalid value: \"object\": a Response message cannot use req.body:"
                + " the request body has been forwarded"),
        agent(
            "two args named s",
            "{messages: [{name: check, args: [{name: s, value: src}, {name: s, value: dst}]}]}",
            "spec.messages[0]: Invalid value: \"object\": args[].name must be unique within the"
                + " message"),
        agent(
            "processing 0s",
            "{timeouts: {processing: 0s}}",
            "spec.timeouts: Invalid value: \"object\": timeouts.processing must be greater than"
                + " 0"),
        agent(
            "processing above the default idle",
            "{timeouts: {processing: 1m}}",
            "spec.timeouts: Invalid value: \"object\": timeouts.processing must not be above"
                + " timeouts.idle"),
        agent(
            "hello 0s",
            "{timeouts: {processing: 1s, hello: 0s}}",
            "spec.timeouts: Invalid value: \"object\": timeouts.hello must be greater than 0"),
        agent(
            "neither service nor endpoints",
            "{endpoints: null}",
            "spec: Invalid value: \"object\": an OffloadAgent needs exactly one of service and"
                + " endpoints"),
        agent(
            "two messages named check",
            "{messages: [{name: check, args: [{name: s, value: src}]},"
                + " {name: check, args: [{name: s, value: src}]}]}",
            "spec: Invalid value: \"object\": messages[].name must be unique within the"
                + " OffloadAgent"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void eachVariantIsRefusedByItsRule(Variant variant) {
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

  @Test
  void theTraceIdSampleIsAnArgumentOfEitherPhaseAndAMisspeltOneIsNot() {
    for (String event : List.of("Request", "Response")) {
      ObjectNode agent = base(AGENT);
      merge(
          (ObjectNode) agent.get("spec"),
          Objects.yaml(
              "{messages: [{name: check, event: "
                  + event
                  + ", args: [{name: trace_id, value: trace_id}]}]}"));
      assertThat(SluiceCrds.forKind("OffloadAgent").admit(agent, null, false).errors())
          .as(event)
          .isEmpty();
    }
    ObjectNode misspelt = base(AGENT);
    merge(
        (ObjectNode) misspelt.get("spec"),
        Objects.yaml("{messages: [{name: check, args: [{name: t, value: traceid}]}]}"));
    assertThat(SluiceCrds.forKind("OffloadAgent").admit(misspelt, null, false).errors())
        .extracting(FieldError::toString)
        .singleElement()
        .asString()
        .startsWith("spec.messages[0].args[0].value: Invalid value: \"traceid\"");
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

  @Test
  void theBaseObjectsAreValid() {
    assertThat(SluiceCrds.forKind("ProxyRoute").admit(base(ROUTE), null, false).errors()).isEmpty();
    assertThat(SluiceCrds.forKind("ProxyRoute").admit(base(ROUTE_V2), null, false).errors())
        .isEmpty();
    assertThat(SluiceCrds.forKind("OffloadAgent").admit(base(AGENT), null, false).errors())
        .isEmpty();
  }

  @Test
  void everyRuleHasAVariant() {
    Set<String> covered = new HashSet<>();
    variants().forEach(v -> covered.add(v.covers()));
    List<String> missing = new ArrayList<>();
    for (String file : SluiceCrds.FILES) {
      collectMessages(SluiceCrds.crd(file), missing);
    }
    missing.removeAll(covered);
    assertThat(missing).as("rules without an invalid variant in this test").isEmpty();
  }

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.walk(Objects.ROOT.resolve("examples"))) {
      List<Path> out = new ArrayList<>();
      for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        if (Files.readString(file).contains("apiVersion: sluice.dev/v1alpha1")) {
          out.add(file);
        }
      }
      return out.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExampleIsAdmitted(Path file) throws IOException {
    try (MappingIterator<JsonNode> docs =
        new YAMLMapper().readerFor(JsonNode.class).readValues(file.toFile())) {
      for (JsonNode doc : docs.readAll()) {
        var admission =
            SluiceCrds.forKind(doc.path("kind").asText()).admit((ObjectNode) doc, null, false);
        assertThat(admission.errors()).as("%s %s", file, doc.at("/metadata/name")).isEmpty();
        assertThat(admission.unknownFields()).isEmpty();
      }
    }
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

  private static Variant route(String name, String patch, String error) {
    return new Variant(name, "ProxyRoute", patch, error);
  }

  /** A variant of the v1alpha2 route's first rule: the patch merges into rules[0]. */
  private static Variant ruleV2(String name, String patch, String error) {
    ObjectNode rule = Objects.yaml("{name: a, backendRefs: [{name: web, port: 80}]}");
    merge(rule, Objects.yaml(patch));
    return new Variant(name, V2, "{rules: [" + rule + "]}", RULE0 + error);
  }

  private static Variant agent(String name, String patch, String error) {
    return new Variant(name, "OffloadAgent", patch, error);
  }

  /** A variant of the route's first rule: the patch merges into rules[0]. */
  private static Variant rule(String name, String patch, String error) {
    ObjectNode rule = Objects.yaml("{name: a, backend: {service: {name: web, port: 80}}}");
    merge(rule, Objects.yaml(patch));
    return new Variant(name, "ProxyRoute", "{rules: [" + rule + "]}", RULE0 + error);
  }
}
