package dev.sluice.charts;

import static dev.sluice.charts.HelmChart.CHART;
import static dev.sluice.charts.HelmChart.ROOT;
import static dev.sluice.charts.HelmChart.render;
import static dev.sluice.charts.HelmChart.template;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart's CRDs: its files/crds/ are copies of the generated crds/, rendered as templates equal
 * to them value for value with the release's labels and kept on uninstall (or left out, or deleted
 * with the release), converting ProxyRoutes through this release's operator.
 */
class ChartCrdsIT {
  @Test
  void crdsAreTheGeneratedOnes() throws IOException {
    try (Stream<Path> files = Files.list(ROOT.resolve("crds"))) {
      List<Path> crds = files.filter(p -> p.toString().endsWith(".yml")).toList();
      assertThat(crds).hasSize(2);
      for (Path crd : crds) {
        assertThat(CHART.resolve("files/crds").resolve(crd.getFileName()))
            .as(
                "charts/sluice/files/crds/%s is a copy of crds/%s",
                crd.getFileName(), crd.getFileName())
            .hasSameTextualContentAs(crd);
      }
    }
  }

  /** The documents of {@code helm template} with {@code values}, as YAML trees. */
  static List<JsonNode> renderTrees(Map<String, Object> values) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String doc : template(values).split("(?m)^---\\s*$")) {
      JsonNode tree = YAML.readTree(doc);
      if (tree != null && tree.has("kind")) {
        out.add(tree);
      }
    }
    return out;
  }

  static final YAMLMapper YAML = new YAMLMapper();

  /** Where {@code actual} first differs from {@code expected}, as a path and both values. */
  static String firstDifference(JsonNode expected, JsonNode actual, String at) {
    if (expected.isObject() && actual.isObject()) {
      var names = new java.util.TreeSet<String>();
      expected.fieldNames().forEachRemaining(names::add);
      actual.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        String d = firstDifference(expected.path(name), actual.path(name), at + "." + name);
        if (!d.isEmpty()) {
          return d;
        }
      }
      return "";
    }
    if (expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
      for (int i = 0; i < expected.size(); i++) {
        String d = firstDifference(expected.get(i), actual.get(i), at + "[" + i + "]");
        if (!d.isEmpty()) {
          return d;
        }
      }
      return "";
    }
    if (expected.isNumber() && actual.isNumber()) {
      // 599.0 and 599 are one JSON number to the API server
      return expected.decimalValue().compareTo(actual.decimalValue()) == 0
          ? ""
          : at + ": " + expected + " (rendered: " + actual + ")";
    }
    return expected.equals(actual) ? "" : at + ": " + expected + " (rendered: " + actual + ")";
  }

  static List<JsonNode> crds(List<JsonNode> rendered) {
    return rendered.stream()
        .filter(d -> d.path("kind").asText().equals("CustomResourceDefinition"))
        .toList();
  }

  @Test
  void theCrdsAreTemplatesEqualToTheGeneratedOnesWithTheReleasesLabelsAndKeptOnUninstall()
      throws IOException {
    List<JsonNode> rendered = crds(renderTrees(Map.of()));
    assertThat(rendered)
        .extracting(c -> c.path("metadata").path("name").asText())
        .containsExactlyInAnyOrder("proxyroutes.sluice.dev", "offloadagents.sluice.dev");
    for (JsonNode crd : rendered) {
      String name = crd.path("metadata").path("name").asText();
      String plural = name.substring(0, name.indexOf('.'));
      JsonNode generated = YAML.readTree(ROOT.resolve("crds/" + name + "-v1.yml").toFile());
      assertThat(firstDifference(generated.path("spec"), crd.path("spec"), "spec"))
          .as("%s: the generated spec, value for value, after Helm's fromYaml/toYaml", plural)
          .isEmpty();
      assertThat(crd.path("apiVersion")).isEqualTo(generated.path("apiVersion"));
      assertThat(crd.path("metadata").path("annotations").path("helm.sh/resource-policy").asText())
          .isEqualTo("keep");
      assertThat(crd.path("metadata").path("labels").path("app.kubernetes.io/managed-by").asText())
          .isEqualTo("Helm");
      assertThat(crd.path("metadata").path("labels").path("helm.sh/chart").asText())
          .isEqualTo("sluice-0.1.0");
    }
    assertThat(Files.exists(CHART.resolve("crds")))
        .as("no crds/ folder: Helm would install it once and never upgrade it")
        .isFalse();
  }

  @Test
  void proxyRoutesConvertThroughThisReleasesOperatorWithItsCaInjected() throws IOException {
    JsonNode defaults = proxyRoutes(renderTrees(Map.of()));
    assertThat(defaults.at("/spec/conversion/strategy").asText()).isEqualTo("Webhook");
    assertThat(defaults.at("/spec/conversion/webhook/clientConfig/service").toString())
        .isEqualTo(
            "{\"name\":\"sluice-operator\",\"namespace\":\"sluice-system\",\"path\":\"/convert\","
                + "\"port\":9443}");
    assertThat(defaults.at("/spec/conversion/webhook/clientConfig/caBundle").isMissingNode())
        .as("filled at run time")
        .isTrue();
    assertThat(defaults.at("/metadata/annotations").has("cert-manager.io/inject-ca-from"))
        .isFalse();

    JsonNode moved =
        proxyRoutes(
            renderTrees(
                Map.of(
                    "ports.webhook",
                    10443,
                    "tls.mode",
                    "certManager",
                    "tls.certManager.issuerRef.name",
                    "ca-issuer")));
    assertThat(moved.at("/spec/conversion/webhook/clientConfig/service/port").asInt())
        .isEqualTo(10443);
    assertThat(moved.at("/metadata/annotations/cert-manager.io~1inject-ca-from").asText())
        .isEqualTo("sluice-system/sluice-operator");
    assertThat(moved.at("/metadata/annotations/helm.sh~1resource-policy").asText())
        .isEqualTo("keep");
  }

  private static JsonNode proxyRoutes(List<JsonNode> rendered) {
    return crds(rendered).stream()
        .filter(c -> c.at("/metadata/name").asText().equals("proxyroutes.sluice.dev"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void crdsCanBeLeftOutOrDeletedWithTheRelease() throws IOException {
    assertThat(crds(renderTrees(Map.of("crds.enabled", false)))).isEmpty();
    List<JsonNode> notKept = crds(renderTrees(Map.of("crds.keep", false)));
    assertThat(notKept).hasSize(2);
    assertThat(notKept)
        .allSatisfy(
            c ->
                assertThat(c.path("metadata").path("annotations").has("helm.sh/resource-policy"))
                    .isFalse());
    assertThatThrownBy(() -> render(Map.of("crds.enable", true)))
        .hasMessageContaining("at '/crds'")
        .hasMessageContaining("enable");
  }
}
