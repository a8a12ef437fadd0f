package dev.sluice.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every ProxyRoute and OffloadAgent under examples/ deserializes into the API types of its version
 * (v1alpha1, or v1alpha2 for ProxyRoutes in HTTPRoute's shape), with unknown fields treated as
 * errors (a typo in an example is a bug in the docs).
 */
class ExamplesTest {
  private static final YAMLMapper STRICT =
      YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  static Stream<Path> exampleFiles() throws IOException {
    try (Stream<Path> files = Files.walk(CrdFiles.ROOT.resolve("examples"))) {
      List<Path> crFiles = new ArrayList<>();
      for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        String text = Files.readString(file);
        if (text.contains("apiVersion: sluice.dev/v1alpha1")
            || text.contains("apiVersion: sluice.dev/v1alpha2")) {
          crFiles.add(file);
        }
      }
      return crFiles.stream();
    }
  }

  @Test
  void examplesExist() throws IOException {
    assertThat(exampleFiles()).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exampleFiles")
  void everyDocumentDeserializes(Path file) throws IOException {
    try (MappingIterator<JsonNode> docs =
        STRICT.readerFor(JsonNode.class).readValues(file.toFile())) {
      for (JsonNode doc : docs.readAll()) {
        String kind = doc.path("kind").asText();
        switch (kind) {
          case "ProxyRoute" -> {
            if (doc.path("apiVersion").asText().equals("sluice.dev/v1alpha2")) {
              var route = STRICT.treeToValue(doc, dev.sluice.api.v1alpha2.ProxyRoute.class);
              // Empty only in a parent for HTTPRoutes (examples/httproute).
              assertThat(route.getSpec().rules().isEmpty())
                  .isEqualTo(file.toString().contains("httproute"));
              assertThat(route.getSpec().listener().port()).isBetween(1, 65535);
            } else {
              ProxyRoute route = STRICT.treeToValue(doc, ProxyRoute.class);
              assertThat(route.getSpec().rules()).isNotEmpty();
              assertThat(route.getSpec().listener().port()).isBetween(1, 65535);
            }
          }
          case "OffloadAgent" -> {
            OffloadAgent agent = STRICT.treeToValue(doc, OffloadAgent.class);
            assertThat(agent.getSpec().messages()).isNotEmpty();
            assertThat(agent.getSpec().timeouts().processing()).isNotBlank();
          }
          default -> throw new AssertionError(file + ": unexpected kind " + kind);
        }
      }
    }
  }

  @Test
  void theShopExampleReadsAsDocumented() throws IOException {
    Path file = CrdFiles.ROOT.resolve("examples/shop/proxyroute-shop.yaml");
    ProxyRoute shop = STRICT.readValue(file.toFile(), ProxyRoute.class);
    Rule upload = shop.getSpec().rules().get(0);
    assertThat(upload.backend().protocol()).isEqualTo(Backend.BackendProtocol.H2C);
    assertThat(upload.offload().get(0).agent()).isEqualTo("waf");
    assertThat(upload.actions().get(0).deny().when().operator())
        .isEqualTo(VariableCondition.Operator.Equals);
    assertThat(shop.getSpec().rollout().batchSize().getStrVal()).isEqualTo("25%");
    assertThat(shop.getSpec().rollout().onFailure())
        .isEqualTo(RolloutPolicy.FailurePolicy.Rollback);
  }
}
