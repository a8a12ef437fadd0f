package dev.sluice.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.api.conversion.ProxyRouteConversion;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.validation.CrdValidator;
import dev.sluice.api.validation.SluiceCrds;
import dev.sluice.operator.render.AttachedRule;
import dev.sluice.testing.kubernetes.GatewayApiCrds;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Invariant: examples/httproute is what docs/api.md says — its HTTPRoutes pass Gateway API v1.4.1's
 * CRD (schema and CEL) and its ProxyRoute ours, and against examples/shop's Services they attach as
 * its comments say: accepted, every backendRef resolved, upload-store spoken to over h2c, the
 * longer prefixes before the storefront's catch-all, whichever route they are in.
 */
class HttpRouteExampleTest {
  static final Path ROOT = Path.of(System.getProperty("sluice.root", ".."));
  static final ObjectMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = JsonMapper.builder().build();

  static List<JsonNode> documents(Path dir) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (MappingIterator<JsonNode> docs =
            YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
          out.addAll(docs.readAll());
        }
      }
    }
    return out;
  }

  static CrdValidator httpRoutesCrd() throws IOException {
    Path file =
        GatewayApiCrds.files().stream()
            .filter(f -> f.getFileName().toString().contains("httproutes"))
            .findFirst()
            .orElseThrow();
    return CrdValidator.of(YAML.readTree(file.toFile()));
  }

  @Test
  void theExampleAttachesAsDocumented() throws IOException {
    CrdValidator gateway = httpRoutesCrd();
    List<HTTPRoute> httpRoutes = new ArrayList<>();
    List<ProxyRoute> proxyRoutes = new ArrayList<>();
    for (JsonNode doc : documents(ROOT.resolve("examples/httproute"))) {
      switch (doc.path("kind").asText()) {
        case "HTTPRoute" -> {
          CrdValidator.Admission admission = gateway.admit((ObjectNode) doc, null, false);
          assertThat(admission.errors()).as(doc.path("metadata").toString()).isEmpty();
          assertThat(admission.unknownFields()).isEmpty();
          httpRoutes.add(JSON.treeToValue(admission.object(), HTTPRoute.class));
        }
        case "ProxyRoute" -> {
          CrdValidator.Admission admission =
              SluiceCrds.forKind("ProxyRoute").admit((ObjectNode) doc, null, false);
          assertThat(admission.errors()).isEmpty();
          JsonNode stored =
              ProxyRouteConversion.standard()
                  .convert(admission.object(), ProxyRouteConversion.V1ALPHA1);
          proxyRoutes.add(JSON.treeToValue(stored, ProxyRoute.class));
        }
        default -> throw new AssertionError("unexpected kind " + doc.path("kind"));
      }
    }
    List<Service> services = new ArrayList<>();
    for (JsonNode doc : documents(ROOT.resolve("examples/shop"))) {
      if (doc.path("kind").asText().equals("Service")) {
        services.add(JSON.treeToValue(doc, Service.class));
      }
    }
    HttpRouteAttachments.Result result =
        HttpRouteAttachments.attach("shop", proxyRoutes, httpRoutes, services);
    for (String route : List.of("storefront", "uploads")) {
      HttpRouteAttachments.ParentOutcome outcome = result.parents().get(route).get(0);
      assertThat(outcome.accepted()).as(route).isNull();
      assertThat(outcome.unresolved()).as(route).isEmpty();
      assertThat(outcome.invalid()).as(route).isEmpty();
    }
    List<AttachedRule> rules = result.rules().get("shop-gateway");
    assertThat(rules)
        .extracting(
            r ->
                r.name()
                    + " "
                    + r.rule().matches().get(0).host()
                    + r.rule().matches().get(0).path().value())
        .containsExactly(
            // the longer prefix first, whichever route it is in; the catch-all last
            "storefront.old-catalog www.shop.example.com/catalog",
            "uploads.upload www.shop.example.com/upload",
            "storefront.pages www.shop.example.com/");
    assertThat(rules.get(0).rule().redirect().statusCode()).isEqualTo(301);
    assertThat(rules.get(1).rule().backend().protocol().name()).isEqualTo("H2C");
  }
}
