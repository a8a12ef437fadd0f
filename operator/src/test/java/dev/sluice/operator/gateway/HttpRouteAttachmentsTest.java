package dev.sluice.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.render.AttachedRule;
import dev.sluice.operator.testing.Objects;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Invariant: the attachment pass orders attached matches by Gateway API's precedence, intersects
 * hostnames, resolves backendRefs with Gateway's reasons (their share 500 when they do not), and
 * leaves out what it cannot serve by name — never silently, never taking other rules with it.
 */
class HttpRouteAttachmentsTest {
  static final String NS = "shop";
  static final List<Service> SERVICES =
      List.of(
          Objects.service(NS, "v1", 8080),
          new ServiceBuilder(Objects.service(NS, "grpc", 9090))
              .editSpec()
              .editFirstPort()
              .withAppProtocol("kubernetes.io/wss")
              .endPort()
              .endSpec()
              .build());

  static ProxyRoute parent(String hostnames) {
    return Objects.route(
        """
        apiVersion: sluice.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: web, namespace: shop, creationTimestamp: "2026-12-01T00:00:00Z"}
        spec:
          selector: {matchLabels: {app: web}}
          listener: {port: 8080}
          hostnames: %s
          rules: []
        """
            .formatted(hostnames));
  }

  static HTTPRoute route(String name, String created, String spec) {
    try {
      return new YAMLMapper()
          .readValue(
              """
              apiVersion: gateway.networking.k8s.io/v1
              kind: HTTPRoute
              metadata: {name: %s, namespace: shop, creationTimestamp: "%s", generation: 1}
              spec:
              %s
              """
                  .formatted(name, created, spec.indent(2)),
              HTTPRoute.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static final String PARENT = "parentRefs: [{group: sluice.dev, kind: ProxyRoute, name: web}]\n";

  /** One HTTPRoute "r" naming ProxyRoute web (no hostnames), with {@code rules}. */
  static HttpRouteAttachments.Result attachRoute(String rules) {
    return HttpRouteAttachments.attach(
        NS,
        List.of(parent("[]")),
        List.of(route("r", "2026-12-01T00:00:00Z", PARENT + rules)),
        SERVICES);
  }

  static List<String> order(HttpRouteAttachments.Result result) {
    return result.rules().get("web").stream()
        .map(
            r ->
                r.name()
                    + " "
                    + r.rule().matches().get(0).host()
                    + " "
                    + r.rule().matches().get(0).path().value())
        .toList();
  }

  @Test
  void matchesAreOrderedByHostThenPathThenMethodHeadersQueryThenAgeAndName() {
    HttpRouteAttachments.Result result =
        HttpRouteAttachments.attach(
            NS,
            List.of(parent("[]")),
            List.of(
                route(
                    "b-old",
                    "2026-12-01T00:00:00Z",
                    PARENT
                        + """
                        rules:
                          - matches: [{path: {type: PathPrefix, value: /a}}]
                            backendRefs: [{name: v1, port: 8080}]
                        """),
                route(
                    "a-new",
                    "2026-12-02T00:00:00Z",
                    PARENT
                        + """
                        hostnames: [x.example.com, "*.example.com"]
                        rules:
                          - matches:
                              - {path: {type: PathPrefix, value: /a}}
                              - {path: {type: PathPrefix, value: /a}, method: GET}
                              - {path: {type: Exact, value: /a}}
                              - {path: {type: PathPrefix, value: /a/longer}}
                              - path: {type: PathPrefix, value: /a}
                                headers: [{name: x, value: "1"}]
                            backendRefs: [{name: v1, port: 8080}]
                        """),
                route(
                    "c-same-age",
                    "2026-12-01T00:00:00Z",
                    PARENT
                        + """
                        rules:
                          - matches: [{path: {type: PathPrefix, value: /a}}]
                            backendRefs: [{name: v1, port: 8080}]
                        """)),
            SERVICES);
    assertThat(order(result))
        .containsExactly(
            // exact hostname first, then its matches: Exact, longer prefix, method, headers, plain
            "a-new.0.4 x.example.com /a",
            "a-new.0.6 x.example.com /a/longer",
            "a-new.0.2 x.example.com /a",
            "a-new.0.8 x.example.com /a",
            "a-new.0.0 x.example.com /a",
            // then the wildcard hostname
            "a-new.0.5 *.example.com /a",
            "a-new.0.7 *.example.com /a/longer",
            "a-new.0.3 *.example.com /a",
            "a-new.0.9 *.example.com /a",
            "a-new.0.1 *.example.com /a",
            // then any host: the older route, then by name
            "b-old.0 null /a",
            "c-same-age.0 null /a");
    assertThat(result.rules().get("web").get(0).rule().matches().get(0).path().type().name())
        .isEqualTo("Exact");
  }

  @Test
  void hostnamesIntersectWithTheParentsAsTheMoreSpecificOfEachPair() {
    assertThat(
            Hostnames.effective(
                List.of("*.example.com", "shop.example.org"),
                List.of("a.example.com", "*.b.example.com", "*.example.org", "other.net")))
        .containsExactly("a.example.com", "*.b.example.com", "shop.example.org");
    assertThat(Hostnames.intersects(List.of("example.com"), List.of("*.example.com"))).isFalse();
    assertThat(Hostnames.intersects(List.of(), List.of("a.example.com"))).isTrue();
  }

  @Test
  void backendRefsThatDoNotResolveKeepTheirShareForA500AndSayWhy() {
    HttpRouteAttachments.Result result =
        attachRoute(
            """
                        rules:
                          - backendRefs:
                              - {name: v1, port: 8080, weight: 3}
                              - {name: v1, port: 8080, namespace: other}
                              - {group: example.com, kind: Bucket, name: b}
                              - {name: grpc, port: 9090, weight: 2}
                              - {name: v1, port: 9999}
                          - matches: [{path: {value: /none}}]
                        """);
    List<AttachedRule> rules = result.rules().get("web");
    AttachedRule split =
        rules.stream().filter(r -> r.name().equals("r.0")).findFirst().orElseThrow();
    assertThat(split.rule().backends()).hasSize(1);
    assertThat(split.rule().backends().get(0).weight()).isEqualTo(3);
    assertThat(split.unavailable())
        .extracting(AttachedRule.Unavailable::weight)
        .containsExactly(1, 1, 2, 1);
    AttachedRule none =
        rules.stream().filter(r -> r.name().equals("r.1")).findFirst().orElseThrow();
    assertThat(none.unavailable())
        .extracting(AttachedRule.Unavailable::reason)
        .containsExactly("HTTPRoute r spec.rules[1]: no backendRefs (Gateway API: 500)");
    HttpRouteAttachments.ParentOutcome outcome = result.parents().get("r").get(0);
    assertThat(outcome.accepted()).isNull();
    assertThat(outcome.unresolved())
        .extracting(p -> p.reason() + " " + p.message())
        .containsExactly(
            "RefNotPermitted spec.rules[0].backendRefs[1].namespace: \"other\" (expected: the"
                + " HTTPRoute's namespace shop (Sluice does not support ReferenceGrant:"
                + " cross-namespace backendRefs))",
            "InvalidKind spec.rules[0].backendRefs[2].kind: \"example.com/Bucket\" (expected:"
                + " Service of the core group (group \"\"))",
            "UnsupportedProtocol spec.rules[0].backendRefs[3]: \"grpc:9090 appProtocol"
                + " kubernetes.io/wss\" (expected: a Service port whose appProtocol is absent, http,"
                + " kubernetes.io/h2c or kubernetes.io/ws)",
            "BackendNotFound spec.rules[0].backendRefs[4].port: \"9999\" (expected: a port of"
                + " Service v1: [8080])");
    assertThat(ParentStatuses.desired(outcome))
        .extracting(d -> d.type() + "=" + d.status() + " " + d.reason())
        .containsExactly("Accepted=True Accepted", "ResolvedRefs=False RefNotPermitted");
  }

  @Test
  void aRuleSluiceCannotServeIsLeftOutByNameAndTheOthersStay() {
    HttpRouteAttachments.Result result =
        attachRoute(
            """
                        rules:
                          - filters: [{type: ExtensionRef, extensionRef: {group: x.io, kind: F, name: f}}]
                            backendRefs: [{name: v1, port: 8080}]
                          - backendRefs:
                              - name: v1
                                port: 8080
                                filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: a, value: b}]}}]
                          - name: kept
                            filters:
                              - type: RequestHeaderModifier
                                requestHeaderModifier: {add: [{name: x-from, value: gateway}]}
                            backendRefs: [{name: v1, port: 8080}]
                        """);
    assertThat(result.rules().get("web")).extracting(AttachedRule::name).containsExactly("r.kept");
    assertThat(result.rules().get("web").get(0).rule().requestHeaders().add())
        .extracting(h -> h.name() + "=" + h.value())
        .containsExactly("x-from=gateway");
    HttpRouteAttachments.ParentOutcome outcome = result.parents().get("r").get(0);
    assertThat(ParentStatuses.desired(outcome))
        .extracting(d -> d.type() + "=" + d.status() + " " + d.reason() + ": " + d.message())
        .containsExactly(
            "Accepted=True Accepted: Attached to ProxyRoute web: 1 rule(s) served after its own"
                + " rules.",
            "ResolvedRefs=True ResolvedRefs: Every backendRef resolved.",
            "PartiallyInvalid=True UnsupportedValue: Left out: spec.rules[0].filters[0].type:"
                + " \"ExtensionRef\" (expected: one of CORS, RequestHeaderModifier, RequestMirror,"
                + " RequestRedirect, ResponseHeaderModifier, URLRewrite) (and 1 more)");
  }

  @Test
  void anExperimentalChannelCorsFilterIsServedAsTheRulesCors() {
    HttpRouteAttachments.Result result =
        attachRoute(
            """
                        rules:
                          - filters:
                              - type: CORS
                                cors:
                                  allowOrigins: ["https://app.example.com", "https://*.example.org"]
                                  allowCredentials: true
                                  allowMethods: [GET, PUT]
                                  allowHeaders: [x-id]
                                  exposeHeaders: [x-trace]
                                  maxAge: 600
                            backendRefs: [{name: v1, port: 8080}]
                        """);
    assertThat(result.parents().get("r").get(0).invalid()).isEmpty();
    var cors = result.rules().get("web").get(0).rule().cors();
    assertThat(cors).isNotNull();
    assertThat(cors.allowOrigins())
        .containsExactly("https://app.example.com", "https://*.example.org");
    assertThat(cors.allowCredentials()).isTrue();
    assertThat(cors.allowMethods()).containsExactly("GET", "PUT");
    assertThat(cors.allowHeaders()).containsExactly("x-id");
    assertThat(cors.exposeHeaders()).containsExactly("x-trace");
    assertThat(cors.maxAge()).isEqualTo(600);
  }

  @Test
  void gatewayTimeoutsBoundTheExchangeAndEachTry() {
    HttpRouteAttachments.Result result =
        attachRoute(
            """
                        rules:
                          - timeouts: {request: 10s, backendRequest: 2s}
                            backendRefs: [{name: v1, port: 8080}]
                        """);
    var timeouts = result.rules().get("web").get(0).rule().timeouts();
    assertThat(timeouts.exchange()).isEqualTo("10s");
    assertThat(timeouts.backendRequest()).isEqualTo("2s");
    assertThat(result.parents().get("r").get(0).invalid()).isEmpty();
  }

  @Test
  void aRegularExpressionJavaCannotCompileLeavesItsRuleOutByName() {
    HttpRouteAttachments.Result result =
        attachRoute(
            """
                        rules:
                          - matches: [{path: {type: RegularExpression, value: "/items/(["}}]
                            backendRefs: [{name: v1, port: 8080}]
                          - backendRefs: [{name: v1, port: 8080}]
                        """);
    assertThat(result.rules().get("web")).extracting(AttachedRule::name).containsExactly("r.1");
    assertThat(result.parents().get("r").get(0).invalid())
        .extracting(Problem::message)
        .singleElement()
        .asString()
        .startsWith(
            "spec.rules[0].matches[0].path.value: \"/items/([\" (expected: a Java regular"
                + " expression (");
  }

  @Test
  void aRuleWhoseBackendRefsAllWeighZeroIsServedAndNamed() {
    HttpRouteAttachments.Result result =
        attachRoute(
            """
                        rules:
                          - backendRefs: [{name: v1, port: 8080, weight: 0}, {name: v1, port: 8080, weight: 0}]
                        """);
    assertThat(result.rules().get("web")).hasSize(1);
    assertThat(ParentStatuses.desired(result.parents().get("r").get(0)).get(0))
        .extracting(d -> d.status() + " " + d.message())
        .isEqualTo(
            "True Attached to ProxyRoute web: 1 rule(s) served after its own rules."
                + " spec.rules[0].backendRefs: every weight is 0 (expected: a weight above 0 to"
                + " send requests; Gateway API answers them 500).");
  }

  @Test
  void aRouteWhoseRulesAreAllUnservableIsNotAccepted() {
    HttpRouteAttachments.Result result =
        HttpRouteAttachments.attach(
            NS,
            List.of(parent("[shop.example.com]")),
            List.of(
                route(
                    "r",
                    "2026-12-01T00:00:00Z",
                    PARENT
                        + """
                        rules:
                          - filters: [{type: CORS}]
                            backendRefs: [{name: v1, port: 8080}]
                        """)),
            SERVICES);
    assertThat(result.rules()).doesNotContainKey("web");
    assertThat(ParentStatuses.desired(result.parents().get("r").get(0)).get(0))
        .extracting(d -> d.status() + " " + d.reason())
        .isEqualTo("False UnsupportedValue");
  }
}
