package dev.sluice.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sandbox.ExampleManifests.Manifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What one HTTPRoute of an example names, checked as the operator resolves it (docs/api.md,
 * "Attaching HTTPRoutes"), so that the route attaches with {@code Accepted=True} and {@code
 * ResolvedRefs=True} once applied: each parentRef a ProxyRoute of the example in the route's
 * namespace ({@code sluice.dev}, {@code ProxyRoute}: the examples run no Gateway), its {@code
 * sectionName} the listener's name ({@code http} or {@code https}, its protocol) and its {@code
 * port} the listener's; the route's hostnames meeting the ProxyRoute's; each backendRef (and
 * mirror) a Service of the example in the namespace, with the port it names.
 */
final class HttpRouteReferences {
  private final ExampleManifests example;
  private final Manifest route;
  private final List<String> out;
  private final ManifestShapes.Problems problems;
  private final String namespace;

  HttpRouteReferences(ExampleManifests example, Manifest route, List<String> out) {
    this.example = example;
    this.route = route;
    this.out = out;
    this.problems = new ManifestShapes.Problems(route.describe(), out);
    this.namespace = Objects.requireNonNullElse(route.object().getMetadata().getNamespace(), "");
  }

  void check() {
    JsonNode spec = route.raw().path("spec");
    JsonNode parents = spec.path("parentRefs");
    for (int i = 0; i < parents.size(); i++) {
      parent("spec.parentRefs[" + i + "]", parents.get(i), spec.path("hostnames"));
    }
    JsonNode rules = spec.path("rules");
    for (int i = 0; i < rules.size(); i++) {
      String at = "spec.rules[" + i + "]";
      JsonNode refs = rules.get(i).path("backendRefs");
      for (int j = 0; j < refs.size(); j++) {
        service(at + ".backendRefs[" + j + "]", refs.get(j));
      }
      JsonNode filters = rules.get(i).path("filters");
      for (int j = 0; j < filters.size(); j++) {
        JsonNode mirror = filters.get(j).path("requestMirror").path("backendRef");
        if (!mirror.isMissingNode()) {
          service(at + ".filters[" + j + "].requestMirror.backendRef", mirror);
        }
      }
    }
  }

  private void parent(String at, JsonNode ref, JsonNode hostnames) {
    String group = ref.path("group").asText("gateway.networking.k8s.io");
    String kind = ref.path("kind").asText("Gateway");
    if (!group.equals("sluice.dev") || !kind.equals("ProxyRoute")) {
      problems.add(
          at + ".kind",
          group + "/" + kind,
          "sluice.dev/ProxyRoute, a ProxyRoute of the example (the examples run no Gateway)");
      return;
    }
    if (!inNamespace(at, ref)) {
      return;
    }
    String name = ref.path("name").asText();
    Optional<Manifest> parent =
        example.manifests("ProxyRoute").stream()
            .filter(p -> p.name().equals(name))
            .filter(p -> namespace.equals(p.object().getMetadata().getNamespace()))
            .findFirst();
    if (parent.isEmpty()) {
      problems.add(at + ".name", name, "a ProxyRoute of the example in namespace " + namespace);
      return;
    }
    JsonNode listener = parent.get().raw().path("spec").path("listener");
    String listenerName = listener.path("protocol").asText("HTTP").toLowerCase(Locale.ROOT);
    JsonNode section = ref.path("sectionName");
    if (!section.isMissingNode() && !section.asText().equals(listenerName)) {
      problems.add(
          at + ".sectionName",
          section.asText(),
          "\"" + listenerName + "\", the name of ProxyRoute " + name + "'s listener");
    }
    JsonNode port = ref.path("port");
    if (!port.isMissingNode() && port.asInt() != listener.path("port").asInt()) {
      problems.add(
          at + ".port",
          port.asInt(),
          listener.path("port").asInt() + ", the port of ProxyRoute " + name + "'s listener");
    }
    hostnames(hostnames, parent.get());
  }

  /** With both set, one of the route's hostnames must meet one of the parent's. */
  private void hostnames(JsonNode hostnames, Manifest parent) {
    List<String> ours = texts(hostnames);
    List<String> listener = texts(parent.raw().path("spec").path("hostnames"));
    if (ours.isEmpty() || listener.isEmpty()) {
      return;
    }
    boolean meet = ours.stream().anyMatch(h -> listener.stream().anyMatch(l -> intersect(h, l)));
    if (!meet) {
      problems.add(
          "spec.hostnames",
          ours.toString(),
          "a hostname within ProxyRoute " + parent.name() + "'s " + listener);
    }
  }

  /** Gateway API's hostname intersection: equal, or a wildcard covering the other. */
  static boolean intersect(String a, String b) {
    return a.equals(b) || covers(a, b) || covers(b, a);
  }

  private static boolean covers(String wildcard, String other) {
    if (!wildcard.startsWith("*.")) {
      return false;
    }
    String suffix = wildcard.substring(1);
    String rest = other.startsWith("*.") ? other.substring(1) : other;
    return rest.endsWith(suffix) && rest.length() > suffix.length();
  }

  /** A backendRef: a Service (core group) of the example in the route's namespace, its port. */
  private void service(String at, JsonNode ref) {
    String group = ref.path("group").asText("");
    String kind = ref.path("kind").asText("Service");
    if (!group.isEmpty() || !kind.equals("Service")) {
      problems.add(at + ".kind", kind, "Service (group \"\"), a Service of the example");
      return;
    }
    if (inNamespace(at, ref)) {
      ManifestReferences.servicePort(example, route, at, ref, out);
    }
  }

  /** A reference's namespace, when written, must be the route's (no ReferenceGrant here). */
  private boolean inNamespace(String at, JsonNode ref) {
    JsonNode ns = ref.path("namespace");
    if (!ns.isMissingNode() && !ns.asText().equals(namespace)) {
      problems.add(
          at + ".namespace", ns.asText(), "absent or the HTTPRoute's namespace " + namespace);
      return false;
    }
    return true;
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(n -> texts.add(n.asText()));
    return texts;
  }
}
