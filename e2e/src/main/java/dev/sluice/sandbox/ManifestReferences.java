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
 * listener a ProxyRoute gives their sidecars); a ProxyRoute selecting pods that get a sidecar, its
 * backends and agents existing with the ports it names, its TLS Secret one the README makes; an
 * OffloadAgent's Service existing with its port; a ConfigMap volume naming a ConfigMap of the
 * example.
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
    JsonNode rules = spec.path("rules");
    for (int i = 0; i < rules.size(); i++) {
      JsonNode backend = rules.get(i).path("backend").path("service");
      if (!backend.isMissingNode()) {
        servicePort(m, "spec.rules[" + i + "].backend.service", backend);
      }
      JsonNode offload = rules.get(i).path("offload");
      for (int j = 0; j < offload.size(); j++) {
        String agent = offload.get(j).path("agent").asText();
        boolean exists =
            example.manifests("OffloadAgent").stream()
                .anyMatch(
                    a ->
                        a.name().equals(agent)
                            && Objects.equals(a.object().getMetadata().getNamespace(), ns));
        if (!exists) {
          add(
              m,
              "spec.rules[" + i + "].offload[" + j + "].agent",
              agent,
              "an OffloadAgent of the example in namespace " + ns);
        }
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
    String name = ref.path("name").asText();
    int port = ref.path("port").asInt();
    Service service = example.service(name).orElse(null);
    if (service == null) {
      add(m, at + ".name", name, "a Service of the example");
      return;
    }
    List<Integer> ports = service.getSpec().getPorts().stream().map(ServicePort::getPort).toList();
    if (!ports.contains(port)) {
      add(m, at + ".port", port, "a port of Service " + name + " " + ports);
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
    for (Manifest route : example.manifests("ProxyRoute")) {
      Map<String, String> selector =
          labels(route.raw().path("spec").path("selector").path("matchLabels"));
      if (!selector.isEmpty() && podLabels(template).entrySet().containsAll(selector.entrySet())) {
        out.add(route.raw().path("spec").path("listener").path("port").asText());
      }
    }
    return out;
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
