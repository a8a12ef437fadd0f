package dev.sluice.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The objects of one or more example directories as {@code kubectl apply -f DIR/} reads them, one
 * directory after the other (an example that builds on another, as examples/canary on
 * examples/shop, is read after it, and checked with it): every {@code *.yaml} file in name order,
 * every document in file order (HTTPRoutes, Gateway API's, in {@code
 * gateway.networking.k8s.io/v1}). Each keeps its raw tree (what the CRD checks and the
 * unknown-field checks read) and its typed model (what is applied), in the API version it is
 * written in. Only the kinds an example is made of are read; any other is a problem, as is a
 * document that does not parse.
 */
final class ExampleManifests {
  /** The kinds an example may hold, and the model each is read into. */
  static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.of(
          "Namespace", Namespace.class,
          "ConfigMap", ConfigMap.class,
          "Deployment", Deployment.class,
          "Service", Service.class,
          "ProxyRoute", ProxyRoute.class,
          "OffloadAgent", OffloadAgent.class,
          "HTTPRoute", HTTPRoute.class);

  /** Models of the API versions besides {@link #KINDS}' that the API serves for a kind. */
  static final Map<String, Class<? extends HasMetadata>> OTHER_VERSIONS =
      Map.of(
          dev.sluice.api.v1alpha2.ProxyRoute.GROUP
              + "/"
              + dev.sluice.api.v1alpha2.ProxyRoute.VERSION
              + " ProxyRoute",
          dev.sluice.api.v1alpha2.ProxyRoute.class);

  private static final YAMLMapper YAML = new YAMLMapper();

  /**
   * Lenient on purpose: what the models do not know is for the checks to name (the CRD's own schema
   * for our kinds, {@link ModelUnknownFields} for the built-in ones), not a read error.
   */
  private static final ObjectMapper MODELS =
      JsonMapper.builder()
          .findAndAddModules()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
          .build();

  /**
   * One document.
   *
   * @param source {@code file#n} (n from 1), for messages
   * @param raw the document as written
   * @param object its typed model
   */
  record Manifest(String source, JsonNode raw, HasMetadata object) {
    String kind() {
      return object.getKind();
    }

    String name() {
      return object.getMetadata().getName();
    }

    /** {@code file#n Kind name}: how a problem names the object. */
    String describe() {
      return source + " " + kind() + " " + name();
    }
  }

  private final List<Path> dirs;
  private final List<Manifest> manifests;
  private final List<String> readProblems;

  private ExampleManifests(List<Path> dirs, List<Manifest> manifests, List<String> readProblems) {
    this.dirs = List.copyOf(dirs);
    this.manifests = List.copyOf(manifests);
    this.readProblems = List.copyOf(readProblems);
  }

  /** Reads every {@code *.yaml} file of {@code dir}, in name order. */
  static ExampleManifests read(Path dir) {
    return read(List.of(dir));
  }

  /**
   * Reads every {@code *.yaml} file of each of {@code dirs}, in their order, each in name order.
   */
  static ExampleManifests read(List<Path> dirs) {
    List<Manifest> out = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Path dir : dirs) {
      List<Path> files;
      try (Stream<Path> listed = Files.list(dir)) {
        files = listed.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + dir, e);
      }
      if (files.isEmpty()) {
        problems.add(dir + ": no *.yaml file (expected: the example's manifests)");
      }
      for (Path file : files) {
        readFile(file, out, problems);
      }
    }
    return new ExampleManifests(dirs, out, problems);
  }

  private static void readFile(Path file, List<Manifest> out, List<String> problems) {
    try (MappingIterator<JsonNode> docs =
        YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      int n = 0;
      for (JsonNode doc : docs.readAll()) {
        n++;
        if (doc == null || doc.isNull() || doc.isEmpty()) {
          continue;
        }
        String source = file + "#" + n;
        String kind = doc.path("kind").asText("");
        Class<? extends HasMetadata> type = model(source, doc, problems);
        if (type == null) {
          continue;
        }
        try {
          out.add(new Manifest(source, doc, MODELS.treeToValue(doc, type)));
        } catch (JsonProcessingException e) {
          problems.add(source + ": " + kind + " does not read: " + e.getOriginalMessage());
        }
      }
    } catch (IOException e) {
      problems.add(file + ": not YAML: " + e.getMessage());
    }
  }

  /**
   * The model of {@code doc}'s kind in its API version; null, with a problem naming the field, when
   * the kind is not one an example is made of or the API does not serve that version of it.
   */
  private static @Nullable Class<? extends HasMetadata> model(
      String source, JsonNode doc, List<String> problems) {
    String kind = doc.path("kind").asText("");
    String apiVersion = doc.path("apiVersion").asText("");
    Class<? extends HasMetadata> type = KINDS.get(kind);
    if (type == null) {
      problems.add(
          source
              + ": kind: \""
              + kind
              + "\" (expected: one of "
              + Set.copyOf(KINDS.keySet())
              + ")");
      return null;
    }
    Class<? extends HasMetadata> other = OTHER_VERSIONS.get(apiVersion + " " + kind);
    if (other != null) {
      return other;
    }
    List<String> served = new ArrayList<>(List.of(HasMetadata.getApiVersion(type)));
    OTHER_VERSIONS.keySet().stream()
        .filter(k -> k.endsWith(" " + kind))
        .forEach(k -> served.add(k.substring(0, k.indexOf(' '))));
    if (!served.contains(apiVersion)) {
      problems.add(
          source
              + ": "
              + kind
              + " apiVersion: \""
              + apiVersion
              + "\" (expected: one the API serves "
              + served
              + ")");
      return null;
    }
    return type;
  }

  /**
   * {@code dirs} without those holding an HTTPRoute: what a cluster without Gateway API's CRDs can
   * apply (an example that attaches HTTPRoutes is a whole: its parent ProxyRoute goes with them).
   */
  static List<Path> withoutHttpRoutes(List<Path> dirs) {
    return dirs.stream().filter(d -> read(d).manifests("HTTPRoute").isEmpty()).toList();
  }

  /** The directories read, for messages: {@code examples/shop + examples/canary}. */
  String where() {
    return String.join(" + ", dirs.stream().map(Path::toString).toList());
  }

  List<Manifest> all() {
    return manifests;
  }

  /** The models of one kind, in file order. */
  <T extends HasMetadata> List<T> of(Class<T> type) {
    return manifests.stream()
        .map(Manifest::object)
        .filter(type::isInstance)
        .map(type::cast)
        .toList();
  }

  /** The manifests of one kind, in file order. */
  List<Manifest> manifests(String kind) {
    return manifests.stream().filter(m -> m.kind().equals(kind)).toList();
  }

  Optional<Service> service(String name) {
    return of(Service.class).stream()
        .filter(s -> s.getMetadata().getName().equals(name))
        .findFirst();
  }

  /**
   * The container port number {@code port} of {@code service} sends to: its {@code targetPort} as a
   * number, or the port of that name in the pods it selects; -1 when none.
   */
  int targetPort(Service service, ServicePort port) {
    IntOrString target = port.getTargetPort();
    if (target == null) {
      return port.getPort();
    }
    if (target.getIntVal() != null) {
      return target.getIntVal();
    }
    Map<String, String> selector = service.getSpec().getSelector();
    for (Deployment deployment : of(Deployment.class)) {
      var template = deployment.getSpec().getTemplate();
      Map<String, String> labels = template.getMetadata().getLabels();
      if (labels == null || !labels.entrySet().containsAll(selector.entrySet())) {
        continue;
      }
      for (var container : template.getSpec().getContainers()) {
        for (ContainerPort p :
            Objects.requireNonNullElse(container.getPorts(), List.<ContainerPort>of())) {
          if (target.getStrVal().equals(p.getName())) {
            return p.getContainerPort();
          }
        }
      }
    }
    return -1;
  }

  /**
   * Every problem: documents that do not read, each object's shape ({@link ManifestShapes}), and
   * what they name of each other ({@link ManifestReferences}). {@code externalSecrets} are the
   * Secrets the example's README makes with a command rather than a file.
   */
  List<String> problems(Set<String> externalSecrets) {
    List<String> all = new ArrayList<>(readProblems);
    for (Manifest manifest : manifests) {
      all.addAll(ManifestShapes.problems(manifest));
    }
    all.addAll(new ManifestReferences(this, externalSecrets).problems());
    return all;
  }
}
