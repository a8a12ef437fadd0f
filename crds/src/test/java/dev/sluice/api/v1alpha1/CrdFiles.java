package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Turns the fabric8 generator's output into the committed CRD file. The generator sorts printer
 * columns by name; kubectl shows them in file order, so they are put back in the order the resource
 * class declares them (Ready, Reason, ..., Age).
 */
final class CrdFiles {
  static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath();
  static final Path COMMITTED_DIR = ROOT.resolve("crds");

  /** The Helm chart's copy, which its templates/crds.yaml renders. */
  static final Path CHART_DIR = ROOT.resolve("charts/sluice/files/crds");

  static final Path GENERATED_DIR = Path.of("target/classes/META-INF/fabric8");
  static final List<Class<?>> KINDS = List.of(ProxyRoute.class, OffloadAgent.class);

  private static final YAMLMapper YAML =
      new YAMLMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
              .build());

  private static final String HEADER =
      "# Generated from crds/src/main/java/dev/sluice/api/v1alpha1 and v1alpha2 by the build"
          + " (./mvnw -pl crds verify -Dcrds.update=true). Do not edit.\n";

  /**
   * How the API server converts between served versions: through the operator's webhook, at the
   * Service operator/deploy installs (the chart sets its release's). No caBundle: the operator (or
   * cert-manager's CA injector) fills it in, as for the pod webhook.
   */
  private static final JsonNode CONVERSION;

  static {
    try {
      CONVERSION =
          YAML.readTree(
              """
              strategy: Webhook
              webhook:
                conversionReviewVersions: [v1]
                clientConfig:
                  service: {name: sluice-operator, namespace: sluice-system, path: /convert, port: 9443}
              """);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String fileName(Class<?> kind) {
    String plural = kind.getSimpleName().toLowerCase() + "s";
    return plural + "." + ProxyRoute.GROUP + "-v1.yml";
  }

  static String render(Class<?> kind) {
    Path generated = GENERATED_DIR.resolve(fileName(kind));
    try {
      ObjectNode crd = (ObjectNode) YAML.readTree(generated.toFile());
      for (JsonNode version : crd.path("spec").path("versions")) {
        orderPrinterColumns((ObjectNode) version, kind);
      }
      if (crd.path("spec").path("versions").size() > 1) {
        ((ObjectNode) crd.get("spec")).set("conversion", CONVERSION);
      }
      return HEADER + YAML.writeValueAsString(crd);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read generated CRD " + generated, e);
    }
  }

  static String committed(Class<?> kind) throws IOException {
    return Files.readString(COMMITTED_DIR.resolve(fileName(kind)));
  }

  static JsonNode committedTree(Class<?> kind) throws IOException {
    return YAML.readTree(committed(kind));
  }

  private static void orderPrinterColumns(ObjectNode version, Class<?> kind) {
    JsonNode columns = version.get("additionalPrinterColumns");
    if (!(columns instanceof ArrayNode array)) {
      return;
    }
    List<String> declared =
        Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    List<JsonNode> sorted = new ArrayList<>();
    array.forEach(sorted::add);
    sorted.sort(Comparator.comparingInt(c -> declared.indexOf(c.path("name").asText())));
    array.removeAll();
    sorted.forEach(array::add);
  }

  private CrdFiles() {}
}
