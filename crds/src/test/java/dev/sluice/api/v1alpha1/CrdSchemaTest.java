package dev.sluice.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed CRDs carry what kubectl, kstatus and the API server rely on. */
class CrdSchemaTest {

  @Test
  void proxyRouteHasStatusSubresourceNamesAndPrinterColumnsInOrder() throws IOException {
    JsonNode crd = CrdFiles.committedTree(ProxyRoute.class);
    assertThat(crd.at("/spec/names/shortNames/0").asText()).isEqualTo("pr");
    assertThat(crd.at("/spec/names/categories/0").asText()).isEqualTo("sluice");
    JsonNode version = crd.at("/spec/versions/0");
    assertThat(version.at("/subresources/status").isObject()).isTrue();
    assertThat(columnNames(version))
        .containsExactly("Ready", "Reason", "Updated", "Selected", "Revision", "Routes", "Age");
    // Attached HTTPRoutes only with -o wide: most routes have none.
    assertThat(version.at("/additionalPrinterColumns/5/priority").asInt()).isEqualTo(1);
    assertThat(version.at("/additionalPrinterColumns/0/jsonPath").asText())
        .isEqualTo(".status.conditions[?(@.type==\"Ready\")].status");
  }

  @Test
  void offloadAgentHasStatusSubresourceNamesAndPrinterColumnsInOrder() throws IOException {
    JsonNode crd = CrdFiles.committedTree(OffloadAgent.class);
    assertThat(crd.at("/spec/names/shortNames/0").asText()).isEqualTo("oa");
    JsonNode version = crd.at("/spec/versions/0");
    assertThat(version.at("/subresources/status").isObject()).isTrue();
    assertThat(columnNames(version))
        .containsExactly("Ready", "Reason", "Available", "Endpoints", "Age");
  }

  @Test
  void proxyRouteCarriesCelRulesWhereOneObjectCanCheckThem() throws IOException {
    JsonNode spec = specSchema(ProxyRoute.class);
    JsonNode rule = spec.at("/properties/rules/items");
    assertThat(rules(spec)).anyMatch(r -> r.contains("exists_one"));
    assertThat(rules(spec.at("/properties/listener"))).anyMatch(r -> r.contains("HTTPS"));
    assertThat(rules(rule.at("/properties/backend")))
        .contains("has(self.service) != has(self.endpoints)");
    assertThat(rules(rule.at("/properties/actions/items")))
        .anyMatch(r -> r.contains(".filter(x, x).size() == 1"));
    JsonNode deny = rule.at("/properties/actions/items/properties/deny/properties/status");
    assertThat(deny.get("minimum").asInt()).isEqualTo(400);
    assertThat(deny.get("maximum").asInt()).isEqualTo(599);
    assertThat(spec.at("/properties/listener/properties/port/maximum").asInt()).isEqualTo(65535);
    JsonNode http2 = spec.at("/properties/listener/properties/http2");
    assertThat(http2.at("/properties/maxConcurrentStreams/maximum").asInt()).isEqualTo(10_000);
    assertThat(http2.at("/properties/maxBufferedResponseBytes/minimum").asLong())
        .isEqualTo(1L << 20);
    assertThat(http2.at("/properties/resetWindow/pattern").asText())
        .isEqualTo(Patterns.WHOLE_SECONDS);
    assertThat(rules(http2)).anyMatch(r -> r.contains("duration('1h')"));
    JsonNode limits = spec.at("/properties/listener/properties/limits");
    assertThat(limits.at("/properties/maxConnections/maximum").asInt()).isEqualTo(1_000_000);
    assertThat(rules(limits)).anyMatch(r -> r.contains("stalledWriteTimeout"));
    assertThat(limits.has("default")).as("nothing written into objects").isFalse();
    assertThat(rules(spec.at("/properties/rollout"))).anyMatch(r -> r.contains("batchSize"));
  }

  @Test
  void proxyRouteSelectorHasTheShapeKubernetesValidates() throws IOException {
    JsonNode requirement =
        specSchema(ProxyRoute.class).at("/properties/selector/properties/matchExpressions/items");
    assertThat(requirement.at("/required").toString()).isEqualTo("[\"key\",\"operator\"]");
    assertThat(requirement.at("/properties/operator/enum").toString())
        .isEqualTo("[\"DoesNotExist\",\"Exists\",\"In\",\"NotIn\"]");
    assertThat(rules(requirement)).anyMatch(r -> r.contains("size(self.values) > 0"));
  }

  @Test
  void offloadAgentCarriesTimeoutAndEndpointRules() throws IOException {
    JsonNode spec = specSchema(OffloadAgent.class);
    assertThat(rules(spec)).contains("has(self.service) != has(self.endpoints)");
    assertThat(rules(spec.at("/properties/timeouts")))
        .contains(
            "duration(self.processing) > duration('0s')",
            "!has(self.idle) || duration(self.processing) <= duration(self.idle)");
    assertThat(spec.at("/required").toString()).contains("timeouts", "messages");
    assertThat(spec.at("/properties/failurePolicy/default").asText()).isEqualTo("Allow");
    assertThat(spec.at("/properties/spop/properties/maxFrameSize/default").asInt())
        .isEqualTo(16380);
  }

  @Test
  void everyFieldIsDocumented() throws IOException {
    for (Class<?> kind : CrdFiles.KINDS) {
      List<String> undocumented = new ArrayList<>();
      collectUndocumented(specSchema(kind), "spec", undocumented);
      assertThat(undocumented).as("fields of %s without description", kind).isEmpty();
    }
  }

  private static void collectUndocumented(JsonNode schema, String path, List<String> out) {
    JsonNode properties = schema.get("properties");
    if (properties != null) {
      properties
          .properties()
          .forEach(
              e -> {
                String child = path + "." + e.getKey();
                if (!e.getValue().has("description")) {
                  out.add(child);
                }
                // Kubernetes' own LabelSelector is documented upstream.
                if (!child.equals("spec.selector")) {
                  collectUndocumented(e.getValue(), child, out);
                }
              });
    }
    if (schema.has("items")) {
      collectUndocumented(schema.get("items"), path + "[]", out);
    }
  }

  /** The v1alpha1 spec schema (ProxyRoute serves v1alpha2 too). */
  private static JsonNode specSchema(Class<?> kind) throws IOException {
    return version(CrdFiles.committedTree(kind), "v1alpha1")
        .at("/schema/openAPIV3Schema/properties/spec");
  }

  private static JsonNode version(JsonNode crd, String name) {
    for (JsonNode version : crd.at("/spec/versions")) {
      if (version.path("name").asText().equals(name)) {
        return version;
      }
    }
    throw new AssertionError("no version " + name);
  }

  @Test
  void proxyRouteStoresV1alpha1ServesBothAndConvertsThroughTheOperator() throws IOException {
    JsonNode crd = CrdFiles.committedTree(ProxyRoute.class);
    assertThat(version(crd, "v1alpha1").path("storage").asBoolean()).isTrue();
    assertThat(version(crd, "v1alpha1").path("served").asBoolean()).isTrue();
    assertThat(version(crd, "v1alpha2").path("storage").asBoolean()).isFalse();
    assertThat(version(crd, "v1alpha2").path("served").asBoolean()).isTrue();
    assertThat(version(crd, "v1alpha2").at("/subresources/status").isObject()).isTrue();
    assertThat(crd.at("/spec/conversion/strategy").asText()).isEqualTo("Webhook");
    assertThat(crd.at("/spec/conversion/webhook/clientConfig/service/path").asText())
        .isEqualTo("/convert");
    assertThat(crd.at("/spec/conversion/webhook/conversionReviewVersions/0").asText())
        .isEqualTo("v1");
    assertThat(CrdFiles.committedTree(OffloadAgent.class).at("/spec/conversion").isMissingNode())
        .isTrue();
  }

  private static List<String> rules(JsonNode schema) {
    List<String> rules = new ArrayList<>();
    schema.path("x-kubernetes-validations").forEach(v -> rules.add(v.get("rule").asText()));
    return rules;
  }

  private static List<String> columnNames(JsonNode version) {
    List<String> names = new ArrayList<>();
    version.path("additionalPrinterColumns").forEach(c -> names.add(c.get("name").asText()));
    return names;
  }
}
