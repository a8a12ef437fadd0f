package dev.sluice.api.conversion;

import static dev.sluice.api.conversion.ProxyRouteConversion.V1ALPHA1;
import static dev.sluice.api.conversion.ProxyRouteConversion.V1ALPHA2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.api.validation.CrdValidator;
import dev.sluice.api.validation.SluiceCrds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conversions as the API server runs them, on objects as it stores them (admitted: pruned,
 * defaulted, valid): every output is valid in its version, and a round trip through the other
 * version gives the input back exactly, annotations included — for every example, hand-written
 * v1alpha2 objects in non-canonical forms and a generated corpus of v1alpha1 objects.
 */
class ProxyRouteConversionTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Path ROOT = Path.of(System.getProperty("sluice.root", "../.."));
  private static final CrdValidator SCHEMA = SluiceCrds.forKind("ProxyRoute");
  private static final ProxyRouteConversion CONVERSION = ProxyRouteConversion.standard();
  private static final String KEPT_V1ALPHA1 = "sluice.dev/conversion-v1alpha1";
  private static final String KEPT_V1ALPHA2 = "sluice.dev/conversion-v1alpha2";

  static Stream<ObjectNode> examples() throws IOException {
    List<ObjectNode> routes = new ArrayList<>();
    try (Stream<Path> files = Files.walk(ROOT.resolve("examples"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        try (MappingIterator<JsonNode> docs =
            YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
          for (JsonNode doc : docs.readAll()) {
            if (doc.path("kind").asText().equals("ProxyRoute")) {
              routes.add((ObjectNode) doc);
            }
          }
        }
      }
    }
    assertThat(routes).isNotEmpty();
    return routes.stream().map(ProxyRouteConversionTest::admitted);
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleRoundTripsThroughTheOtherVersion(ObjectNode route) {
    assertRoundTrip(route);
  }

  @Test
  void aGeneratedCorpusOfV1alpha1RoutesRoundTrips() {
    Random random = new Random(20261207);
    int kept = 0;
    for (int i = 0; i < 400; i++) {
      ObjectNode route = admitted(yaml(RouteCorpus.v1alpha1(random, i)));
      ObjectNode v2 = assertRoundTrip(route);
      if (v2.at("/metadata/annotations").has(KEPT_V1ALPHA1)) {
        kept++;
      }
    }
    // The corpus has routes the canonical way back changes (several methods in one match, empty
    // lists) and routes it does not: both paths were taken.
    assertThat(kept).isBetween(1, 399);
  }

  @Test
  void v1alpha2InItsOwnOrderComesBackAsWritten() {
    ObjectNode v2 =
        admitted(
            yaml(
                """
                apiVersion: sluice.dev/v1alpha2
                kind: ProxyRoute
                metadata: {name: shop, namespace: shop, annotations: {team: web}}
                spec:
                  selector: {matchLabels: {app: shop}}
                  listener: {port: 8080}
                  hostnames: [shop.example.com, "*.shop.example.com"]
                  rules:
                    - name: cart
                      matches:
                        - path: {type: PathPrefix, value: /cart}
                          method: GET
                        - path: {type: PathPrefix, value: /cart}
                          method: HEAD
                      filters:
                        - type: VariableAction
                          variableAction:
                            setRequestHeader: {name: x-score, fromVariable: txn.iprep.score}
                        - type: Offload
                          offload: {agent: iprep}
                      backendRefs: [{name: cart, port: 8080, weight: 7}]
                    - name: rest
                      filters: []
                      backendRefs: [{endpoints: ["10.0.0.9:80"], protocol: h2c}]
                """));
    ObjectNode v1 = CONVERSION.convert(v2, V1ALPHA1);
    assertValid(v1);
    // Stored as v1alpha1 with the way back kept: filters in their written order, the weight.
    assertThat(v1.at("/spec/rules/0/offload/0/agent").asText()).isEqualTo("iprep");
    assertThat(v1.at("/spec/rules/0/actions/0/setRequestHeader/name").asText())
        .isEqualTo("x-score");
    assertThat(v1.at("/spec/hostnames/1").asText()).isEqualTo("*.shop.example.com");
    assertThat(v1.at("/metadata/annotations/team").asText()).isEqualTo("web");
    assertThat(v1.at("/metadata/annotations").has(KEPT_V1ALPHA2)).isTrue();
    ObjectNode back = CONVERSION.convert(v1, V1ALPHA2);
    assertThat(back).isEqualTo(v2);
  }

  @Test
  void gatewayFiltersInAnyOrderMapToTheHubAndComeBackAsWritten() {
    ObjectNode v2 =
        admitted(
            yaml(
                """
                apiVersion: sluice.dev/v1alpha2
                kind: ProxyRoute
                metadata: {name: gw, namespace: shop}
                spec:
                  selector: {matchLabels: {app: shop}}
                  listener: {port: 8080}
                  rules:
                    - name: old
                      matches: [{path: {type: PathPrefix, value: /old}}]
                      filters:
                        - type: RequestRedirect
                          requestRedirect:
                            scheme: https
                            path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}
                            statusCode: 301
                    - name: api
                      matches:
                        - path: {type: PathPrefix, value: /api}
                          queryParams: [{name: v, value: "2"}]
                      filters:
                        - type: LocalRateLimit
                          localRateLimit: {requests: 5, key: ClientAddress}
                        - type: URLRewrite
                          urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}}
                        - type: ResponseHeaderModifier
                          responseHeaderModifier: {remove: [server]}
                        - type: RequestHeaderModifier
                          requestHeaderModifier: {add: [{name: x-from, value: gw}]}
                      backendRefs: [{name: api, port: 80}]
                """));
    ObjectNode v1 = CONVERSION.convert(v2, V1ALPHA1);
    assertValid(v1);
    assertThat(v1.at("/spec/rules/0/backend").isMissingNode()).isTrue();
    assertThat(v1.at("/spec/rules/0/redirect/path/replacePrefixMatch").asText()).isEqualTo("/new");
    assertThat(v1.at("/spec/rules/1/rateLimit/key").asText()).isEqualTo("ClientAddress");
    assertThat(v1.at("/spec/rules/1/rewrite/path/type").asText()).isEqualTo("ReplacePrefixMatch");
    assertThat(v1.at("/spec/rules/1/responseHeaders/remove/0").asText()).isEqualTo("server");
    assertThat(v1.at("/spec/rules/1/requestHeaders/add/0/name").asText()).isEqualTo("x-from");
    assertThat(v1.at("/spec/rules/1/matches/0/queryParams/0/name").asText()).isEqualTo("v");
    assertThat(CONVERSION.convert(v1, V1ALPHA2)).isEqualTo(v2);
  }

  @Test
  void aCorsFilterIsTheHubsRuleCorsAndComesBackAsWritten() {
    ObjectNode v2 =
        admitted(
            yaml(
                """
                apiVersion: sluice.dev/v1alpha2
                kind: ProxyRoute
                metadata: {name: gw, namespace: shop}
                spec:
                  selector: {matchLabels: {app: shop}}
                  listener: {port: 8080}
                  rules:
                    - name: api
                      filters:
                        - type: ResponseHeaderModifier
                          responseHeaderModifier: {remove: [server]}
                        - type: CORS
                          cors:
                            allowOrigins: ["https://*.example.org"]
                            allowCredentials: true
                            allowMethods: [GET, PUT]
                            exposeHeaders: [x-trace]
                      backendRefs: [{name: api, port: 80}]
                """));
    ObjectNode v1 = CONVERSION.convert(v2, V1ALPHA1);
    assertValid(v1);
    assertThat(v1.at("/spec/rules/0/cors/allowOrigins/0").asText())
        .isEqualTo("https://*.example.org");
    assertThat(v1.at("/spec/rules/0/cors/allowCredentials").asBoolean()).isTrue();
    assertThat(v1.at("/spec/rules/0/cors/maxAge").asInt()).as("defaulted").isEqualTo(5);
    assertThat(CONVERSION.convert(v1, V1ALPHA2)).isEqualTo(v2);
    assertRoundTrip(v1);
  }

  @Test
  void gatewayTimeoutsAreTheHubsExchangeAndBackendRequestAndComeBackAsWritten() {
    ObjectNode v2 =
        admitted(
            yaml(
                """
                apiVersion: sluice.dev/v1alpha2
                kind: ProxyRoute
                metadata: {name: gw, namespace: shop}
                spec:
                  selector: {matchLabels: {app: shop}}
                  listener: {port: 8080}
                  rules:
                    - name: bounded
                      backendRefs: [{name: api, port: 80}]
                      timeouts: {request: 10s, backendRequest: 2s, responseHeader: 5s}
                    - name: disabled
                      backendRefs: [{name: api, port: 80}]
                      timeouts: {request: 0s, backendRequest: 30s}
                """));
    ObjectNode v1 = CONVERSION.convert(v2, V1ALPHA1);
    assertValid(v1);
    assertThat(v1.at("/spec/rules/0/timeouts/exchange").asText()).isEqualTo("10s");
    assertThat(v1.at("/spec/rules/0/timeouts/backendRequest").asText()).isEqualTo("2s");
    assertThat(v1.at("/spec/rules/0/timeouts/request").asText())
        .as("v1alpha1's request is v1alpha2's responseHeader")
        .isEqualTo("5s");
    assertThat(v1.at("/spec/rules/1/timeouts/exchange").asText()).isEqualTo("0s");
    assertThat(CONVERSION.convert(v1, V1ALPHA2)).isEqualTo(v2);
    assertRoundTrip(v1);
  }

  @Test
  void anEditInTheOtherVersionWinsOverWhatWasKept() {
    ObjectNode v1 =
        admitted(
            yaml(
                """
                apiVersion: sluice.dev/v1alpha1
                kind: ProxyRoute
                metadata: {name: shop, namespace: shop}
                spec:
                  selector: {matchLabels: {app: shop}}
                  listener: {port: 8080}
                  rules:
                    - name: cart
                      matches: [{path: {value: /cart}, methods: [GET, HEAD]}]
                      backend: {service: {name: cart, port: 8080}}
                """));
    ObjectNode v2 = CONVERSION.convert(v1, V1ALPHA2);
    assertValid(v2);
    assertThat(v2.at("/spec/rules/0/matches")).hasSize(2);
    assertThat(v2.at("/metadata/annotations").has(KEPT_V1ALPHA1)).isTrue();

    // A v1alpha2 client changes the path of both matches and writes the object back.
    ((ObjectNode) v2.at("/spec/rules/0/matches/0/path")).put("value", "/basket");
    ((ObjectNode) v2.at("/spec/rules/0/matches/1/path")).put("value", "/basket");
    ObjectNode stored = CONVERSION.convert(v2, V1ALPHA1);

    assertValid(stored);
    assertThat(stored.at("/spec/rules/0/matches"))
        .extracting(JsonNode::toString)
        .containsExactly(
            "{\"path\":{\"type\":\"Prefix\",\"value\":\"/basket\"},\"methods\":[\"GET\"]}",
            "{\"path\":{\"type\":\"Prefix\",\"value\":\"/basket\"},\"methods\":[\"HEAD\"]}");
    assertThat(stored.at("/metadata/annotations").has(KEPT_V1ALPHA1)).isFalse();
  }

  @Test
  void theSameVersionIsReturnedAsItCame() throws IOException {
    ObjectNode v1 = firstV1alpha1Example();
    assertThat(CONVERSION.convert(v1, V1ALPHA1)).isEqualTo(v1);
  }

  @Test
  void whatCannotBeConvertedIsRefusedNamingFieldAndValue() throws IOException {
    ObjectNode v1 = firstV1alpha1Example();
    assertThatThrownBy(() -> CONVERSION.convert(v1, "sluice.dev/v1"))
        .hasMessage(
            "desiredAPIVersion: \"sluice.dev/v1\" (expected: one of [sluice.dev/v1alpha1,"
                + " sluice.dev/v1alpha2])");
    ObjectNode agent = v1.deepCopy();
    agent.put("kind", "OffloadAgent");
    assertThatThrownBy(() -> CONVERSION.convert(agent, V1ALPHA2))
        .hasMessage("kind: \"OffloadAgent\" (expected: ProxyRoute)");
    ObjectNode broken = v1.deepCopy();
    ((ObjectNode) broken.get("spec")).put("rules", "none");
    assertThatThrownBy(() -> CONVERSION.convert(broken, V1ALPHA2))
        .hasMessageStartingWith("spec: ")
        .hasMessageEndingWith("(expected: a valid ProxyRoute spec)");
  }

  private static ObjectNode firstV1alpha1Example() throws IOException {
    return examples()
        .filter(r -> r.path("apiVersion").asText().equals(V1ALPHA1))
        .findFirst()
        .orElseThrow();
  }

  /** Converts to the other version and back; both outputs valid, the way back exact. */
  private static ObjectNode assertRoundTrip(ObjectNode route) {
    String from = route.path("apiVersion").asText();
    String to = from.equals(V1ALPHA1) ? V1ALPHA2 : V1ALPHA1;
    ObjectNode converted = CONVERSION.convert(route, to);
    assertValid(converted);
    assertThat(converted.path("status")).isEqualTo(route.path("status"));
    ObjectNode back = CONVERSION.convert(converted, from);
    assertThat(back).as("%s -> %s -> %s", from, to, from).isEqualTo(route);
    return converted;
  }

  private static void assertValid(ObjectNode object) {
    CrdValidator.Admission admission = SCHEMA.admit(object, null, false);
    assertThat(admission.errors()).as("%s", object).isEmpty();
    assertThat(admission.unknownFields()).isEmpty();
    assertThat(admission.object()).as("already defaulted").isEqualTo(object);
  }

  private static ObjectNode admitted(ObjectNode object) {
    CrdValidator.Admission admission = SCHEMA.admit(object, null, false);
    assertThat(admission.errors()).as("%s", object).isEmpty();
    return admission.object();
  }

  private static ObjectNode yaml(String text) {
    try {
      return (ObjectNode) YAML.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
