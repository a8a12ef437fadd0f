package dev.sluice.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The renderer against golden files: resources (as users apply them) plus what the informers would
 * know (endpoints, Secrets) in, the sidecar config and the problems out. {@code
 * -Dgolden.update=true} rewrites the expected files; review the diff. Without it a missing expected
 * file fails the case. Every rendered config must also pass the sidecar's own validation.
 */
class RendererGoldenTest {
  static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath();
  static final Path CASES = Path.of("src/test/resources/render");
  static final ObjectMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();

  /** The resources of a case: its own resources.yaml, or for "shop" the shipped examples. */
  static List<String> documents(String name) throws IOException {
    List<Path> files =
        name.equals("shop")
            ? List.of(
                ROOT.resolve("examples/shop/proxyroute-shop.yaml"),
                ROOT.resolve("examples/shop/offloadagent-waf.yaml"))
            : List.of(CASES.resolve(name).resolve("resources.yaml"));
    List<String> docs = new ArrayList<>();
    for (Path file : files) {
      for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
        if (!doc.isBlank()) {
          docs.add(doc);
        }
      }
    }
    return docs;
  }

  static RenderInput input(String name, boolean reversed) throws IOException {
    List<ProxyRoute> routes = new ArrayList<>();
    Map<String, OffloadAgent> agents = new LinkedHashMap<>();
    for (String doc : documents(name)) {
      JsonNode node = YAML.readTree(doc);
      if (node == null || !node.has("kind")) {
        continue;
      }
      switch (node.get("kind").asText()) {
        case "ProxyRoute" -> routes.add(JSON.treeToValue(node, ProxyRoute.class));
        case "OffloadAgent" -> {
          OffloadAgent agent = JSON.treeToValue(node, OffloadAgent.class);
          agents.put(agent.getMetadata().getName(), agent);
        }
        default -> throw new IllegalArgumentException("unexpected kind in " + name);
      }
    }
    if (reversed) {
      Collections.reverse(routes);
    }
    JsonNode cluster = YAML.readTree(CASES.resolve(name).resolve("cluster.yaml").toFile());
    Map<ServiceKey, List<String>> endpoints = new LinkedHashMap<>();
    cluster
        .get("endpoints")
        .fields()
        .forEachRemaining(
            e -> {
              String[] key = e.getKey().split(":");
              List<String> ready = new ArrayList<>();
              e.getValue().forEach(v -> ready.add(v.asText()));
              if (reversed) {
                Collections.reverse(ready);
              }
              endpoints.put(new ServiceKey(key[0], Integer.parseInt(key[1])), ready);
            });
    Map<String, Map<String, String>> secrets = new LinkedHashMap<>();
    cluster
        .get("secrets")
        .fields()
        .forEachRemaining(
            e -> {
              Map<String, String> data = new LinkedHashMap<>();
              e.getValue()
                  .fields()
                  .forEachRemaining(d -> data.put(d.getKey(), d.getValue().asText()));
              secrets.put(e.getKey(), data);
            });
    return new RenderInput("shop", routes, agents, endpoints, secrets);
  }

  static String golden(Rendering rendering) {
    StringBuilder text = new StringBuilder(SidecarConfigCodec.toYaml(rendering.config()));
    text.append("---\n# problems\n");
    for (RenderProblem p : rendering.problems()) {
      text.append("- ")
          .append(p.kind())
          .append(' ')
          .append(p.name())
          .append(": ")
          .append(p.conditionType())
          .append("=False ")
          .append(p.reason())
          .append(": ")
          .append(p.message())
          .append('\n');
    }
    return text.toString();
  }

  @ParameterizedTest
  @ValueSource(strings = {"shop", "problems", "limits"})
  void rendersTheGoldenConfig(String name) throws Exception {
    Rendering rendering = Renderer.render(input(name, false), Renderer.Defaults.STANDARD);
    String actual = golden(rendering);
    Path expected = CASES.resolve(name).resolve("expected.yaml");
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(expected, actual);
    }
    assertThat(expected)
        .as("golden file (create it with -Dgolden.update=true, then review it)")
        .exists();
    assertThat(actual).isEqualTo(Files.readString(expected));
    // what the sidecar will be sent passes the sidecar's own validation
    SidecarConfigCodec.readYaml(SidecarConfigCodec.toYaml(rendering.config()), name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"shop", "problems", "limits"})
  void theOrderInformersListThingsInChangesNothing(String name) throws Exception {
    Rendering forward = Renderer.render(input(name, false), Renderer.Defaults.STANDARD);
    Rendering backward = Renderer.render(input(name, true), Renderer.Defaults.STANDARD);
    assertThat(backward.config()).isEqualTo(forward.config());
    assertThat(backward.config().revision()).isEqualTo(forward.config().revision());
  }

  @Test
  void anEndpointChangeChangesTheRevision() throws Exception {
    RenderInput before = input("shop", false);
    Map<ServiceKey, List<String>> moved = new LinkedHashMap<>(before.endpoints());
    moved.put(new ServiceKey("storefront", 8080), List.of("10.1.0.22:8080"));
    RenderInput after =
        new RenderInput(
            before.namespace(), before.routes(), before.agents(), moved, before.secrets());
    assertThat(Renderer.render(after, Renderer.Defaults.STANDARD).config().revision())
        .isNotEqualTo(Renderer.render(before, Renderer.Defaults.STANDARD).config().revision());
  }

  @Test
  void longNamesStayValidUniqueAndStable() {
    String long1 = "a".repeat(70) + "-one";
    String long2 = "a".repeat(70) + "-two";
    assertThat(Names.of(long1)).hasSizeLessThanOrEqualTo(Names.MAX).isEqualTo(Names.of(long1));
    assertThat(Names.of(long1)).isNotEqualTo(Names.of(long2));
    assertThat(Names.of(long1)).matches("[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?");
    assertThat(Names.of("shop", "upload")).isEqualTo("shop.upload");
  }
}
