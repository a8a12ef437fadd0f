package dev.sluice.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.sidecar.config.Endpoint;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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
    Map<ServiceKey, ServicePortEndpoints> endpoints = new LinkedHashMap<>();
    cluster
        .get("endpoints")
        .fields()
        .forEachRemaining(
            e -> {
              String[] key = e.getKey().split(":");
              endpoints.put(
                  new ServiceKey(key[0], Integer.parseInt(key[1])),
                  servicePort(key[0], key[1], e.getValue(), reversed));
            });
    return new RenderInput(
        "shop",
        routes,
        agents,
        endpoints,
        objects(cluster.path("secrets")),
        objects(cluster.path("configMaps")));
  }

  /** Secrets or ConfigMaps from cluster.yaml: name → key → value (absent: none). */
  static Map<String, Map<String, String>> objects(JsonNode byName) {
    Map<String, Map<String, String>> objects = new LinkedHashMap<>();
    byName
        .fields()
        .forEachRemaining(
            e -> {
              Map<String, String> data = new LinkedHashMap<>();
              e.getValue()
                  .fields()
                  .forEachRemaining(d -> data.put(d.getKey(), d.getValue().asText()));
              objects.put(e.getKey(), data);
            });
    return objects;
  }

  /**
   * A Service port from cluster.yaml: a list of ready addresses (the port has no name), or {@code
   * {name: <port name>, ready: [...], notReady: [...]}}.
   */
  static ServicePortEndpoints servicePort(
      String service, String port, JsonNode value, boolean reversed) {
    JsonNode ready = value.isArray() ? value : value.path("ready");
    String portName = value.path("name").asText(port);
    List<Endpoint> list = new ArrayList<>();
    ready.forEach(v -> list.add(Endpoint.ready(v.asText())));
    value
        .path("notReady")
        .forEach(v -> list.add(new Endpoint(v.asText(), false, false, false, 1, null)));
    if (reversed) {
      Collections.reverse(list);
    }
    return new ServicePortEndpoints("shop/" + service + ":" + portName, list);
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

  static final Renderer.Defaults CLUSTERS =
      Renderer.Defaults.STANDARD.withServiceBackends(Renderer.ServiceBackends.CLUSTERS);
  static final Renderer.Defaults INLINE =
      Renderer.Defaults.STANDARD.withServiceBackends(Renderer.ServiceBackends.INLINE);

  /**
   * Every case (each folder of {@link #CASES}) with Service backends as clusters (expected.yaml)
   * and inline (-inline).
   */
  static Stream<Arguments> cases() throws IOException {
    List<String> names;
    try (Stream<Path> dirs = Files.list(CASES)) {
      names =
          dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
    }
    return names.stream()
        .flatMap(
            name ->
                Stream.of(
                    Arguments.of(name, "expected.yaml", CLUSTERS),
                    Arguments.of(name, "expected-inline.yaml", INLINE)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void rendersTheGoldenConfig(String name, String file, Renderer.Defaults defaults)
      throws Exception {
    Rendering rendering = Renderer.render(input(name, false), defaults);
    String actual = golden(rendering);
    Path expected = CASES.resolve(name).resolve(file);
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

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void theOrderInformersListThingsInChangesNothing(
      String name, String file, Renderer.Defaults defaults) throws Exception {
    Rendering forward = Renderer.render(input(name, false), defaults);
    Rendering backward = Renderer.render(input(name, true), defaults);
    assertThat(backward.config()).isEqualTo(forward.config());
    assertThat(backward.config().revision()).isEqualTo(forward.config().revision());
  }

  /** The storefront's one endpoint replaced by another, and its upload-store scaled to zero. */
  static RenderInput endpointsMoved(RenderInput before) {
    Map<ServiceKey, ServicePortEndpoints> moved = new LinkedHashMap<>(before.endpoints());
    moved.put(
        new ServiceKey("storefront", 8080),
        new ServicePortEndpoints(
            "shop/storefront:8080", List.of(Endpoint.ready("10.1.0.22:8080"))));
    moved.put(
        new ServiceKey("upload-store", 8081),
        new ServicePortEndpoints("shop/upload-store:8081", List.of()));
    return withEndpoints(before, moved);
  }

  /** {@code input} with other endpoints. */
  static RenderInput withEndpoints(
      RenderInput input, Map<ServiceKey, ServicePortEndpoints> endpoints) {
    return new RenderInput(
        input.namespace(),
        input.routes(),
        input.agents(),
        endpoints,
        input.secrets(),
        input.configMaps());
  }

  @Test
  void anEndpointChangeIsNoNewRevisionWithClusters() throws Exception {
    RenderInput before = input("shop", false);
    Rendering after = Renderer.render(endpointsMoved(before), CLUSTERS);
    assertThat(after.config().revision())
        .isEqualTo(Renderer.render(before, CLUSTERS).config().revision());
    assertThat(after.problems()).as("no ready endpoint is not a render problem").isEmpty();
  }

  @Test
  void anAgentsEndpointChangeIsNoNewRevisionWithClusters() throws Exception {
    RenderInput before = input("shop", false);
    Map<ServiceKey, ServicePortEndpoints> moved = new LinkedHashMap<>(before.endpoints());
    moved.put(
        new ServiceKey("waf-agent", 12345),
        new ServicePortEndpoints(
            "shop/waf-agent:12345", List.of(Endpoint.ready("10.1.0.32:12345"))));
    moved.put(
        new ServiceKey("iprep-agent", 12345),
        new ServicePortEndpoints("shop/iprep-agent:12345", List.of()));
    RenderInput after = withEndpoints(before, moved);
    Rendering rendered = Renderer.render(after, CLUSTERS);
    assertThat(rendered.config().revision())
        .isEqualTo(Renderer.render(before, CLUSTERS).config().revision());
    assertThat(rendered.problems()).as("an agent without ready endpoints renders").isEmpty();
    assertThat(Renderer.render(after, INLINE).config().revision())
        .as("inline, the same change is a revision")
        .isNotEqualTo(Renderer.render(before, INLINE).config().revision());
  }

  @Test
  void anEndpointChangeChangesTheRevisionInline() throws Exception {
    RenderInput before = input("shop", false);
    Rendering after = Renderer.render(endpointsMoved(before), INLINE);
    assertThat(after.config().revision())
        .isNotEqualTo(Renderer.render(before, INLINE).config().revision());
    assertThat(after.problems())
        .extracting(RenderProblem::reason)
        .containsExactly(dev.sluice.api.v1alpha1.Reasons.NO_ENDPOINTS);
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
