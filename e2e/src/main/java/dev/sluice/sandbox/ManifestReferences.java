package dev.sluice.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.Labels;
import dev.sluice.sandbox.ExampleManifests.Manifest;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an example's objects name of each other, checked so that {@code kubectl apply -f DIR/} gives
 * a working whole on any cluster: every object in a Namespace of the example; a Service selecting
 * pods of a Deployment, each port's target a port those pods listen on (a container's, or the
 * listener a ProxyRoute gives their sidecars); a ProxyRoute selecting pods that get a sidecar, on a
 * listener port none of their containers has, its backends (v1alpha1's {@code backend}, {@code
 * backends} and {@code mirrors}; v1alpha2's {@code backendRefs} and mirror filters) and agents
 * existing with the ports it names, its TLS Secret one the README makes; an OffloadAgent's Service
 * existing with its port; a ConfigMap volume naming a ConfigMap of the example; an HTTPRoute's
 * parents and backends ({@link HttpRouteReferences}).
 */
final class ManifestReferences {
  private final ExampleManifests example;
  private final Set<String> externalSecrets;
  private final List<String> out = new ArrayList<>();

  ManifestReferences(ExampleManifests example, Set<String> externalSecrets) {
    this.example = example;
    this.externalSecrets = externalSecrets;
  }

  List<String> problems() {
    Set<String> namespaces =
        example.of(Namespace.class).stream()
            .map(n -> n.getMetadata().getName())
            .collect(Collectors.toSet());
    for (Manifest m : example.all()) {
      String ns = m.object().getMetadata().getNamespace();
      if (!(m.object() instanceof Namespace) && ns != null && !namespaces.contains(ns)) {
        add(m, "metadata.namespace", ns, "a Namespace of the example " + namespaces);
      }
    }
    example.manifests("Deployment").forEach(this::configMapVolumes);
    example.manifests("Service").forEach(this::service);
    example.manifests("ProxyRoute").forEach(this::route);
    example.manifests("OffloadAgent").forEach(this::agent);
    example.manifests("HTTPRoute").forEach(m -> new HttpRouteReferences(example, m, out).check());
    return out;
  }

  private void configMapVolumes(Manifest m) {
    Deployment d = (Deployment) m.object();
    List<Volume> volumes =
        Objects.requireNonNullElse(d.getSpec().getTemplate().getSpec().getVolumes(), List.of());
    for (int i = 0; i < volumes.size(); i++) {
      if (volumes.get(i).getConfigMap() != null) {
        String name = volumes.get(i).getConfigMap().getName();
        boolean exists =
            example.of(io.fabric8.kubernetes.api.model.ConfigMap.class).stream()
                .anyMatch(c -> c.getMetadata().getName().equals(name));
        if (!exists) {
          add(
              m,
              "spec.template.spec.volumes[" + i + "].configMap.name",
              name,
              "a ConfigMap of the example");
        }
      }
    }
  }

  private void service(Manifest m) {
    Service service = (Service) m.object();
    Map<String, String> selector = service.getSpec().getSelector();
    if (selector == null || selector.isEmpty()) {
      return; // ManifestShapes names it
    }
    List<PodTemplateSpec> pods = templates(m.object().getMetadata().getNamespace(), selector);
    if (pods.isEmpty()) {
      add(m, "spec.selector", selector, "the labels of a Deployment's pods in the example");
      return;
    }
    List<ServicePort> ports = service.getSpec().getPorts();
    for (int i = 0; i < ports.size(); i++) {
      ServicePort port = ports.get(i);
      IntOrString target =
          port.getTargetPort() != null ? port.getTargetPort() : new IntOrString(port.getPort());
      for (PodTemplateSpec pod : pods) {
        List<String> listening = listening(pod);
        if (!listening.contains(shown(target))) {
          add(
              m,
              "spec.ports[" + i + "].targetPort",
              shown(target),
              "a port its pods listen on " + listening);
        }
      }
    }
  }

  private void route(Manifest m) {
    JsonNode spec = m.raw().path("spec");
    String ns = m.object().getMetadata().getNamespace();
    Map<String, String> selector = labels(spec.path("selector").path("matchLabels"));
    List<PodTemplateSpec> pods = templates(ns, selector);
    if (pods.isEmpty()) {
      add(m, "spec.selector.matchLabels", selector, "the labels of a Deployment's pods");
    }
    for (PodTemplateSpec pod : pods) {
      if (!injected(ns, pod)) {
        add(
            m,
            "spec.selector.matchLabels",
            selector,
            "pods that get a sidecar (namespace label "
                + Labels.INJECT
                + "="
                + Labels.INJECT_NAMESPACE_ENABLED
                + ", pods not opted out)");
      }
    }
    JsonNode secret = spec.path("listener").path("tls").path("secretName");
    if (!secret.isMissingNode() && !externalSecrets.contains(secret.asText())) {
      add(
          m,
          "spec.listener.tls.secretName",
          secret.asText(),
          "a Secret the example's README makes " + externalSecrets);
    }
    listenerPort(m, pods);
    JsonNode rules = spec.path("rules");
    for (int i = 0; i < rules.size(); i++) {
      String at = "spec.rules[" + i + "]";
      if (m.raw().path("apiVersion").asText().endsWith("/v1alpha1")) {
        v1alpha1Refs(m, at, rules.get(i));
      } else {
        v1alpha2Refs(m, at, rules.get(i));
      }
    }
  }

  /** A v1alpha1 rule's Services ({@code backend}, {@code backends}, {@code mirrors}) and agents. */
  private void v1alpha1Refs(Manifest m, String at, JsonNode rule) {
    serviceIfNamed(m, at + ".backend.service", rule.path("backend").path("service"));
    for (String list : List.of("backends", "mirrors")) {
      JsonNode refs = rule.path(list);
      for (int j = 0; j < refs.size(); j++) {
        serviceIfNamed(m, at + "." + list + "[" + j + "].service", refs.get(j).path("service"));
      }
    }
    JsonNode offload = rule.path("offload");
    for (int j = 0; j < offload.size(); j++) {
      agentRef(m, at + ".offload[" + j + "].agent", offload.get(j).path("agent").asText());
    }
  }

  /**
   * A v1alpha2 rule's Services ({@code backendRefs}, {@code RequestMirror} filters' {@code
   * backendRef}) and agents ({@code Offload} filters).
   */
  private void v1alpha2Refs(Manifest m, String at, JsonNode rule) {
    JsonNode refs = rule.path("backendRefs");
    for (int j = 0; j < refs.size(); j++) {
      serviceIfNamed(m, at + ".backendRefs[" + j + "]", refs.get(j));
    }
    JsonNode filters = rule.path("filters");
    for (int j = 0; j < filters.size(); j++) {
      String filter = at + ".filters[" + j + "]";
      serviceIfNamed(
          m,
          filter + ".requestMirror.backendRef",
          filters.get(j).path("requestMirror").path("backendRef"));
      JsonNode agent = filters.get(j).path("offload").path("agent");
      if (!agent.isMissingNode()) {
        agentRef(m, filter + ".offload.agent", agent.asText());
      }
    }
  }

  /** {@code ref} names a Service when it has a name (not static endpoints). */
  private void serviceIfNamed(Manifest m, String at, JsonNode ref) {
    if (ref.has("name")) {
      servicePort(m, at, ref);
    }
  }

  private void agentRef(Manifest m, String at, String agent) {
    String ns = m.object().getMetadata().getNamespace();
    boolean exists =
        example.manifests("OffloadAgent").stream()
            .anyMatch(
                a ->
                    a.name().equals(agent)
                        && Objects.equals(a.object().getMetadata().getNamespace(), ns));
    if (!exists) {
      add(m, at, agent, "an OffloadAgent of the example in namespace " + ns);
    }
  }

  /**
   * The sidecar of each pod the route selects listens on the route's port, which no container of
   * the pod may listen on (a pod's containers share one network namespace; routes may share a port
   * with each other, the operator checks how).
   */
  private void listenerPort(Manifest m, List<PodTemplateSpec> pods) {
    int port = m.raw().path("spec").path("listener").path("port").asInt();
    for (PodTemplateSpec pod : pods) {
      List<String> taken = containerPorts(pod);
      if (taken.contains(String.valueOf(port))) {
        add(m, "spec.listener.port", port, "a port no container of its pods listens on " + taken);
      }
    }
  }

  private void agent(Manifest m) {
    JsonNode service = m.raw().path("spec").path("service");
    if (!service.isMissingNode()) {
      servicePort(m, "spec.service", service);
    }
  }

  /** {@code ref} ({name, port}) names a Service of the example with that port. */
  private void servicePort(Manifest m, String at, JsonNode ref) {
    servicePort(example, m, at, ref, out);
  }

  /** {@code ref} ({name, port}) names a Service of {@code example} with that port. */
  static void servicePort(
      ExampleManifests example, Manifest m, String at, JsonNode ref, List<String> out) {
    ManifestShapes.Problems problems = new ManifestShapes.Problems(m.describe(), out);
    String name = ref.path("name").asText();
    int port = ref.path("port").asInt();
    Service service = example.service(name).orElse(null);
    if (service == null) {
      problems.add(at + ".name", name, "a Service of the example");
      return;
    }
    List<Integer> ports = service.getSpec().getPorts().stream().map(ServicePort::getPort).toList();
    if (!ports.contains(port)) {
      problems.add(at + ".port", port, "a port of Service " + name + " " + ports);
    }
  }

  /** The pod templates of the example's Deployments in {@code ns} that {@code selector} selects. */
  private List<PodTemplateSpec> templates(String ns, Map<String, String> selector) {
    if (selector.isEmpty()) {
      return List.of();
    }
    return example.of(Deployment.class).stream()
        .filter(d -> Objects.equals(d.getMetadata().getNamespace(), ns))
        .map(d -> d.getSpec().getTemplate())
        .filter(t -> podLabels(t).entrySet().containsAll(selector.entrySet()))
        .toList();
  }

  /**
   * What a pod of {@code template} listens on, by number and by name: its containers' ports, and
   * the listener port of every ProxyRoute that selects it (its injected sidecar's).
   */
  private List<String> listening(PodTemplateSpec template) {
    List<String> out = containerPorts(template);
    for (Manifest route : example.manifests("ProxyRoute")) {
      if (selects(route, template)) {
        out.add(route.raw().path("spec").path("listener").path("port").asText());
      }
    }
    return out;
  }

  /** The ports the containers of a pod of {@code template} listen on, by number and by name. */
  private static List<String> containerPorts(PodTemplateSpec template) {
    List<String> out = new ArrayList<>();
    for (var container : template.getSpec().getContainers()) {
      for (ContainerPort port :
          Objects.requireNonNullElse(container.getPorts(), List.<ContainerPort>of())) {
        out.add(String.valueOf(port.getContainerPort()));
        if (port.getName() != null) {
          out.add(port.getName());
        }
      }
    }
    return out;
  }

  /** {@code route} selects the pods of {@code template}. */
  private static boolean selects(Manifest route, PodTemplateSpec template) {
    Map<String, String> selector =
        labels(route.raw().path("spec").path("selector").path("matchLabels"));
    return !selector.isEmpty() && podLabels(template).entrySet().containsAll(selector.entrySet());
  }

  private boolean injected(String ns, PodTemplateSpec pod) {
    String podLabel = podLabels(pod).get(Labels.INJECT);
    if ("false".equals(podLabel)) {
      return false;
    }
    boolean namespaceOptedIn =
        example.of(Namespace.class).stream()
            .filter(n -> n.getMetadata().getName().equals(ns))
            .anyMatch(
                n ->
                    Labels.INJECT_NAMESPACE_ENABLED.equals(
                        Objects.requireNonNullElse(
                                n.getMetadata().getLabels(), Map.<String, String>of())
                            .get(Labels.INJECT)));
    return namespaceOptedIn || "true".equals(podLabel);
  }

  private static Map<String, String> podLabels(PodTemplateSpec template) {
    return template.getMetadata() == null
        ? Map.of()
        : Objects.requireNonNullElse(template.getMetadata().getLabels(), Map.of());
  }

  private static Map<String, String> labels(JsonNode matchLabels) {
    Map<String, String> out = new LinkedHashMap<>();
    matchLabels.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static String shown(IntOrString port) {
    return port.getIntVal() != null ? String.valueOf(port.getIntVal()) : port.getStrVal();
  }

  private void add(Manifest m, String field, Object value, String expected) {
    new ManifestShapes.Problems(m.describe(), out).add(field, value, expected);
  }
}
