package dev.sluice.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * examples/shop is a whole that {@code kubectl apply -f examples/shop/} makes work on any cluster,
 * and examples/canary one when applied after it: no problem in them, every Secret they need made by
 * a command the shop's README gives, and each kind of mistake the checks look for, made in a copy,
 * is named with its file, field and value — in the canary's sluice.dev/v1alpha2 route as in the
 * shop's v1alpha1 one, and in examples/httproute's HTTPRoutes (Gateway API's CRD, schema and CEL,
 * and what they name: their parent ProxyRoute, its listener and hostnames, their Services).
 */
class ExampleManifestsTest {
  static final Path SHOP = Path.of("../examples/shop");
  static final Path CANARY = Path.of("../examples/canary");
  static final Path HTTPROUTE = Path.of("../examples/httproute");

  @TempDir Path copy;

  @Test
  void theShopExampleHasNoProblem() {
    ExampleManifests shop = ExampleManifests.read(SHOP);
    assertThat(shop.problems(Set.of(ShopDemo.TLS_SECRET))).isEmpty();
    assertThat(shop.all())
        .extracting(ExampleManifests.Manifest::kind)
        .contains("Namespace", "Deployment", "Service", "ConfigMap", "ProxyRoute", "OffloadAgent");
    assertThat(shop.of(Service.class))
        .extracting(s -> s.getMetadata().getName())
        .contains("storefront", "upload-store", "waf-agent", "iprep-agent", "shop");
  }

  @Test
  void theCanaryExampleReadAfterTheShopHasNoProblem() {
    ExampleManifests both = ExampleManifests.read(List.of(SHOP, CANARY));
    assertThat(both.problems(Set.of(ShopDemo.TLS_SECRET))).isEmpty();
    assertThat(both.manifests("ProxyRoute"))
        .extracting(ExampleManifests.Manifest::name, m -> m.object().getApiVersion())
        .containsExactly(
            tuple("shop", "sluice.dev/v1alpha1"),
            tuple("storefront-canary", "sluice.dev/v1alpha2"));
    assertThat(both.all().get(both.all().size() - 1).object())
        .as("read in its own version, as it is applied")
        .isInstanceOf(dev.sluice.api.v1alpha2.ProxyRoute.class);
  }

  @Test
  void theHttpRouteExampleReadAfterTheOthersHasNoProblem() {
    ExampleManifests all = ExampleManifests.read(List.of(SHOP, CANARY, HTTPROUTE));
    assertThat(all.problems(Set.of(ShopDemo.TLS_SECRET))).isEmpty();
    assertThat(all.manifests("HTTPRoute"))
        .extracting(ExampleManifests.Manifest::name, m -> m.object().getApiVersion())
        .containsExactly(
            tuple(HttpRouteTraffic.STOREFRONT, "gateway.networking.k8s.io/v1"),
            tuple(HttpRouteTraffic.UPLOADS, "gateway.networking.k8s.io/v1"));
    assertThat(all.manifests("ProxyRoute"))
        .extracting(ExampleManifests.Manifest::name)
        .contains(HttpRouteTraffic.PARENT);
  }

  @Test
  void withoutGatewayApiTheHttpRouteExampleIsLeftOutWhole() {
    assertThat(ExampleManifests.withoutHttpRoutes(List.of(SHOP, CANARY, HTTPROUTE)))
        .containsExactly(SHOP, CANARY);
  }

  @Test
  void theHttpRoutesAloneNameWhatTheyTakeFromTheShop() {
    assertThat(ExampleManifests.read(HTTPROUTE).problems(Set.of(ShopDemo.TLS_SECRET)))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains(
                        "HTTPRoute uploads: spec.rules[0].backendRefs[0].name: \"upload-store\""
                            + " (expected: a Service of the example)"));
  }

  @Test
  void theCanaryAloneNamesWhatItTakesFromTheShop() {
    assertThat(ExampleManifests.read(CANARY).problems(Set.of(ShopDemo.TLS_SECRET)))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("ConfigMap storefront-canary-nginx: metadata.namespace: \"shop\"")
                    .contains("(expected: a Namespace of the example [])"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains(
                        "ProxyRoute storefront-canary: spec.selector.matchLabels: {app=storefront}"
                            + " (expected: the labels of a Deployment's pods)"));
  }

  @Test
  void theSecretTheExampleDoesNotShipIsMadeByItsReadme() throws IOException {
    assertThat(Files.readString(SHOP.resolve("README.md")))
        .contains("kubectl -n shop create secret tls " + ShopDemo.TLS_SECRET);
  }

  @Test
  void aSecretTheReadmeDoesNotMakeIsAProblem() {
    assertThat(ExampleManifests.read(SHOP).problems(Set.of()))
        .singleElement()
        .asString()
        .contains("proxyroute-shop.yaml#1 ProxyRoute shop: spec.listener.tls.secretName:")
        .contains("\"shop-tls\" (expected: a Secret the example's README makes []");
  }

  /** A mistake: in {@code file}, {@code from} becomes {@code to}; a problem says {@code said}. */
  record Mistake(String name, String file, String from, String to, String said) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final List<Mistake> MISTAKES =
      List.of(
          new Mistake(
              "a Deployment's selector not matching its pods",
              "20-upload-store.yaml",
              "    matchLabels:\n      app: upload-store",
              "    matchLabels:\n      app: upload-stor",
              "Deployment upload-store: spec.selector.matchLabels.app: \"upload-stor\" (expected:"
                  + " the pod template's label app (it has upload-store))"),
          new Mistake(
              "a Service's target port no pod listens on",
              "10-storefront.yaml",
              "targetPort: 8443",
              "targetPort: 9443",
              "Service shop: spec.ports[0].targetPort: \"9443\" (expected: a port its pods listen"
                  + " on [8080, http, 8443])"),
          new Mistake(
              "a Service selecting no pod",
              "30-iprep-agent.yaml",
              "  selector:\n    app: iprep-agent\n  ports:",
              "  selector:\n    app: iprep\n  ports:",
              "Service iprep-agent: spec.selector: {app=iprep} (expected: the labels of a"
                  + " Deployment's pods in the example)"),
          new Mistake(
              "a backend naming a Service the example lacks",
              "proxyroute-shop.yaml",
              "name: upload-store",
              "name: uploads",
              "ProxyRoute shop: spec.rules[0].backend.service.name: \"uploads\" (expected: a"
                  + " Service of the example)"),
          new Mistake(
              "a backend port the Service does not have",
              "proxyroute-shop.yaml",
              "port: 8081",
              "port: 8082",
              "ProxyRoute shop: spec.rules[0].backend.service.port: 8082 (expected: a port of"
                  + " Service upload-store [8081])"),
          new Mistake(
              "an OffloadAgent's Service missing",
              "offloadagent-waf.yaml",
              "name: waf-agent",
              "name: coraza",
              "OffloadAgent waf: spec.service.name: \"coraza\" (expected: a Service of the"
                  + " example)"),
          new Mistake(
              "a route offloading to an agent the example lacks",
              "proxyroute-shop.yaml",
              "- agent: iprep",
              "- agent: bot-filter",
              "ProxyRoute shop: spec.rules[1].offload[0].agent: \"bot-filter\" (expected: an"
                  + " OffloadAgent of the example in namespace shop)"),
          new Mistake(
              "a value the CRD's schema refuses",
              "proxyroute-shop.yaml",
              "protocol: HTTPS",
              "protocol: HTTPX",
              "ProxyRoute shop: spec.listener.protocol: Unsupported value: \"HTTPX\""),
          new Mistake(
              "a field the CRD does not have",
              "proxyroute-shop.yaml",
              "zeroCopy: true",
              "zeroCopi: true",
              "ProxyRoute shop: spec.rules[0].zeroCopi: unknown field (expected: a field of the"
                  + " ProxyRoute CRD)"),
          new Mistake(
              "a field a built-in kind does not have",
              "10-storefront.yaml",
              "- {name: http, containerPort: 8080}",
              "- {name: http, containerport: 8080}",
              "Deployment storefront: spec.template.spec.containers[0].ports[0].containerport:"
                  + " unknown field (expected: a field of Deployment)"),
          new Mistake(
              "a writable root filesystem",
              "30-iprep-agent.yaml",
              "readOnlyRootFilesystem: true",
              "readOnlyRootFilesystem: false",
              "Deployment iprep-agent: spec.template.spec.containers[0].securityContext"
                  + ".readOnlyRootFilesystem: false (expected: true)"),
          new Mistake(
              "a ConfigMap volume naming no ConfigMap of the example",
              "20-upload-store.yaml",
              "configMap: {name: upload-store-nginx}",
              "configMap: {name: upload-nginx}",
              "Deployment upload-store: spec.template.spec.volumes[0].configMap.name:"
                  + " \"upload-nginx\" (expected: a ConfigMap of the example)"),
          new Mistake(
              "a route selecting pods that opted out of injection",
              "10-storefront.yaml",
              "      labels:\n        app: storefront\n    spec:",
              "      labels:\n        app: storefront\n        sluice.dev/inject: \"false\"\n"
                  + "    spec:",
              "ProxyRoute shop: spec.selector.matchLabels: {app=storefront} (expected: pods that"
                  + " get a sidecar"),
          new Mistake(
              "a kind the example is not made of",
              "00-namespace.yaml",
              "kind: Namespace",
              "kind: Namespaces",
              "00-namespace.yaml#1: kind: \"Namespaces\" (expected: one of"));

  static final List<Mistake> CANARY_MISTAKES =
      List.of(
          new Mistake(
              "a listener port a container of the selected pods has",
              "proxyroute-canary.yaml",
              "port: 9080",
              "port: 8080",
              "ProxyRoute storefront-canary: spec.listener.port: 8080 (expected: a port no"
                  + " container of its pods listens on [8080, http])"),
          new Mistake(
              "a backendRef naming a Service the examples lack",
              "proxyroute-canary.yaml",
              "{name: storefront-canary, port: 8080, weight: 10}",
              "{name: storefront-beta, port: 8080, weight: 10}",
              "ProxyRoute storefront-canary: spec.rules[2].backendRefs[1].name: \"storefront-beta\""
                  + " (expected: a Service of the example)"),
          new Mistake(
              "a backendRef port the Service does not have",
              "proxyroute-canary.yaml",
              "{name: storefront, port: 8080, weight: 90}",
              "{name: storefront, port: 80, weight: 90}",
              "ProxyRoute storefront-canary: spec.rules[2].backendRefs[0].port: 80 (expected: a"
                  + " port of Service storefront [8080])"),
          new Mistake(
              "a value the v1alpha2 schema refuses",
              "proxyroute-canary.yaml",
              "statusCode: 301",
              "statusCode: 308",
              "ProxyRoute storefront-canary: spec.rules[0].filters[0].requestRedirect.statusCode:"),
          new Mistake(
              "a v1alpha1 field in a v1alpha2 rule",
              "proxyroute-canary.yaml",
              "    - name: canary-opt-in\n",
              "    - name: canary-opt-in\n      zeroCopi: true\n",
              "ProxyRoute storefront-canary: spec.rules[1].zeroCopi: unknown field (expected: a"
                  + " field of the ProxyRoute CRD)"),
          new Mistake(
              "an API version the API does not serve",
              "proxyroute-canary.yaml",
              "apiVersion: sluice.dev/v1alpha2",
              "apiVersion: sluice.dev/v1beta1",
              "proxyroute-canary.yaml#1: ProxyRoute apiVersion: \"sluice.dev/v1beta1\" (expected:"
                  + " one the API serves [sluice.dev/v1alpha1, sluice.dev/v1alpha2])"),
          new Mistake(
              "the canary's pods not hardened",
              "10-storefront-canary.yaml",
              "allowPrivilegeEscalation: false",
              "allowPrivilegeEscalation: true",
              "Deployment storefront-canary: spec.template.spec.containers[0].securityContext"
                  + ".allowPrivilegeEscalation: true (expected: false)"));

  static final List<Mistake> HTTPROUTE_MISTAKES =
      List.of(
          new Mistake(
              "a parentRef naming a ProxyRoute the examples lack",
              "httproute-uploads.yaml",
              "name: shop-gateway}",
              "name: shop-gw}",
              "httproute-uploads.yaml#1 HTTPRoute uploads: spec.parentRefs[0].name: \"shop-gw\""
                  + " (expected: a ProxyRoute of the example in namespace shop)"),
          new Mistake(
              "a parentRef to a Gateway",
              "httproute-uploads.yaml",
              "{group: sluice.dev, kind: ProxyRoute, name: shop-gateway}",
              "{name: shop-gateway}",
              "HTTPRoute uploads: spec.parentRefs[0].kind: \"gateway.networking.k8s.io/Gateway\""
                  + " (expected: sluice.dev/ProxyRoute"),
          new Mistake(
              "a sectionName that is not the listener's",
              "httproute-storefront.yaml",
              "sectionName: http\n",
              "sectionName: https\n",
              "HTTPRoute storefront: spec.parentRefs[0].sectionName: \"https\" (expected:"
                  + " \"http\", the name of ProxyRoute shop-gateway's listener)"),
          new Mistake(
              "hostnames outside the parent's",
              "httproute-uploads.yaml",
              "hostnames: [www.shop.example.com]",
              "hostnames: [www.example.org]",
              "HTTPRoute uploads: spec.hostnames: \"[www.example.org]\" (expected: a hostname"
                  + " within ProxyRoute shop-gateway's [*.shop.example.com])"),
          new Mistake(
              "a backendRef naming a Service the examples lack",
              "httproute-uploads.yaml",
              "{name: upload-store, port: 8081}",
              "{name: upload-stor, port: 8081}",
              "HTTPRoute uploads: spec.rules[0].backendRefs[0].name: \"upload-stor\" (expected: a"
                  + " Service of the example)"),
          new Mistake(
              "a backendRef port the Service does not have",
              "httproute-storefront.yaml",
              "{name: storefront, port: 8080}",
              "{name: storefront, port: 80}",
              "HTTPRoute storefront: spec.rules[1].backendRefs[0].port: 80 (expected: a port of"
                  + " Service storefront [8080])"),
          new Mistake(
              "a value Gateway API's schema refuses",
              "httproute-storefront.yaml",
              "statusCode: 301",
              "statusCode: 399",
              "HTTPRoute storefront: spec.rules[0].filters[0].requestRedirect.statusCode:"),
          new Mistake(
              "a rule Gateway API's CEL rules refuse",
              "httproute-storefront.yaml",
              "{type: PathPrefix, value: /catalog}",
              "{type: Exact, value: /catalog}",
              "When using RequestRedirect filter with path.replacePrefixMatch, exactly one"
                  + " PathPrefix match must be specified"),
          new Mistake(
              "a field Gateway API's CRD does not have",
              "httproute-uploads.yaml",
              "method: POST",
              "methd: POST",
              "HTTPRoute uploads: spec.rules[0].matches[0].methd: unknown field (expected: a field"
                  + " of the HTTPRoute CRD)"));

  @ParameterizedTest(name = "{0}")
  @FieldSource("HTTPROUTE_MISTAKES")
  void eachHttpRouteMistakeIsNamed(Mistake mistake) throws IOException {
    Path shop = Files.createDirectories(copy.resolve("shop"));
    Path httproute = Files.createDirectories(copy.resolve("httproute"));
    copyAll(SHOP, shop);
    copyAll(HTTPROUTE, httproute);
    make(mistake, httproute);
    assertThat(
            ExampleManifests.read(List.of(shop, httproute)).problems(Set.of(ShopDemo.TLS_SECRET)))
        .anySatisfy(p -> assertThat(p).contains(mistake.said()));
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("CANARY_MISTAKES")
  void eachCanaryMistakeIsNamed(Mistake mistake) throws IOException {
    Path shop = Files.createDirectories(copy.resolve("shop"));
    Path canary = Files.createDirectories(copy.resolve("canary"));
    copyAll(SHOP, shop);
    copyAll(CANARY, canary);
    make(mistake, canary);
    assertThat(ExampleManifests.read(List.of(shop, canary)).problems(Set.of(ShopDemo.TLS_SECRET)))
        .anySatisfy(p -> assertThat(p).contains(mistake.said()));
  }

  /** Makes {@code mistake} in its file in {@code dir}, which must hold its starting text. */
  private static void make(Mistake mistake, Path dir) throws IOException {
    Path file = dir.resolve(mistake.file());
    String text = Files.readString(file);
    assertThat(text)
        .as("the mistake's starting text, in " + mistake.file())
        .contains(mistake.from());
    Files.writeString(file, text.replace(mistake.from(), mistake.to()));
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("MISTAKES")
  void eachMistakeIsNamed(Mistake mistake) throws IOException {
    copyShop();
    make(mistake, copy);
    assertThat(ExampleManifests.read(copy).problems(Set.of(ShopDemo.TLS_SECRET)))
        .anySatisfy(p -> assertThat(p).contains(mistake.said()));
  }

  @Test
  void anObjectOutsideTheExamplesNamespacesIsNamed() throws IOException {
    copyShop();
    Files.delete(copy.resolve("00-namespace.yaml"));
    assertThat(ExampleManifests.read(copy).problems(Set.of(ShopDemo.TLS_SECRET)))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("ConfigMap storefront-nginx: metadata.namespace: \"shop\"")
                    .contains("(expected: a Namespace of the example [])"));
  }

  private void copyShop() throws IOException {
    copyAll(SHOP, copy);
  }

  private static void copyAll(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }
}
