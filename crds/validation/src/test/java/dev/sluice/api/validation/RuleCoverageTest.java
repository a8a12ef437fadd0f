package dev.sluice.api.validation;

import static dev.sluice.api.validation.RuleVariants.AGENT;
import static dev.sluice.api.validation.RuleVariants.ROUTE;
import static dev.sluice.api.validation.RuleVariants.ROUTE_V2;
import static dev.sluice.api.validation.RuleVariants.base;
import static dev.sluice.api.validation.RuleVariants.collectMessages;
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
 * Every CEL rule of the CRDs has an invalid variant in {@link V1alpha1RuleVariantsTest}, {@link
 * V1alpha2RuleVariantsTest} or {@link OffloadAgentRuleVariantsTest}, and the valid objects (the
 * base ones of {@link RuleVariants} and every example under examples/) are admitted. A rule added
 * to a CRD without a variant fails {@link #everyRuleHasAVariant}.
 */
class RuleCoverageTest {
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
    RuleVariants.all().forEach(v -> covered.add(v.covers()));
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
}
