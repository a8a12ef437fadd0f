package dev.sluice.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

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
 * examples/shop is a whole that {@code kubectl apply -f examples/shop/} makes work on any cluster:
 * no problem in it, every Secret it needs made by a command its README gives, and each kind of
 * mistake the checks look for, made in a copy, is named with its file, field and value.
 */
class ExampleManifestsTest {
  static final Path SHOP = Path.of("../examples/shop");

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

  @ParameterizedTest(name = "{0}")
  @FieldSource("MISTAKES")
  void eachMistakeIsNamed(Mistake mistake) throws IOException {
    copyShop();
    Path file = copy.resolve(mistake.file());
    String text = Files.readString(file);
    assertThat(text)
        .as("the mistake's starting text, in " + mistake.file())
        .contains(mistake.from());
    Files.writeString(file, text.replace(mistake.from(), mistake.to()));
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
    try (Stream<Path> files = Files.list(SHOP)) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
  }
}
