package dev.sluice.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.validation.CrdValidator;
import dev.sluice.api.validation.FieldError;
import dev.sluice.api.validation.SluiceCrds;
import dev.sluice.sandbox.ExampleManifests.Manifest;
import dev.sluice.testing.kubernetes.GatewayApiCrds;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One manifest on its own, as the API server and a careful reviewer would take it: our custom
 * resources against the CRDs (schema, defaults, CEL rules, unknown fields, with {@link SluiceCrds},
 * as kube-apiserver admits them), HTTPRoutes against Gateway API's ({@link HttpRouteCrd}); the
 * built-in kinds' required fields and fields their model does not know ({@link
 * ModelUnknownFields}); a Deployment's selector matching its pod template, containers named with an
 * image, ports and volume mounts that add up, and the hardening the examples promise (non-root,
 * read-only root filesystem, no privilege escalation, a memory limit); a Service's selector and
 * ports. Each problem names the manifest, the field, the value and what was expected.
 */
final class ManifestShapes {
  private ManifestShapes() {}

  static List<String> problems(Manifest manifest) {
    List<String> out = new ArrayList<>();
    Problems problems = new Problems(manifest.describe(), out);
    if (manifest.name() == null || manifest.name().isBlank()) {
      problems.add("metadata.name", manifest.name(), "a name");
    }
    if (!(manifest.object() instanceof Namespace)
        && (manifest.object().getMetadata().getNamespace() == null)) {
      problems.add("metadata.namespace", null, "the example's namespace, written out");
    }
    switch (manifest.kind()) {
      case "ProxyRoute", "OffloadAgent" ->
          customResource(manifest, SluiceCrds.forKind(manifest.kind()), problems);
      case "HTTPRoute" -> httpRoute(manifest, problems);
      case "Deployment" -> deployment((Deployment) manifest.object(), problems);
      case "Service" -> service((Service) manifest.object(), problems);
      default -> {}
    }
    if (!Set.of("ProxyRoute", "OffloadAgent", "HTTPRoute").contains(manifest.kind())) {
      ModelUnknownFields.in(manifest.object(), "")
          .forEach(
              path ->
                  problems.as(
                      path + ": unknown field (expected: a field of " + manifest.kind() + ")"));
    }
    return out;
  }

  /** What kube-apiserver answers a create with: 422 with these causes, or unknown fields. */
  private static void customResource(Manifest manifest, CrdValidator crd, Problems problems) {
    CrdValidator.Admission admission = crd.admit((ObjectNode) manifest.raw(), null, false);
    for (String unknown : admission.unknownFields()) {
      problems.as(
          unknown + ": unknown field (expected: a field of the " + manifest.kind() + " CRD)");
    }
    for (FieldError error : admission.errors()) {
      if (!CrdValidator.rulesSkippedNotice(error)) {
        problems.as(error.toString());
      }
    }
  }

  /** Against Gateway API's CRD, as a cluster with it installed admits it. */
  private static void httpRoute(Manifest manifest, Problems problems) {
    HttpRouteCrd.validator()
        .ifPresentOrElse(
            crd -> customResource(manifest, crd, problems),
            () ->
                problems.add(
                    "apiVersion",
                    manifest.raw().path("apiVersion").asText(),
                    "Gateway API's CRDs installed (shared/gateway-api-"
                        + GatewayApiCrds.RELEASE
                        + "/ beside the checkout)"));
  }

  private static void deployment(Deployment deployment, Problems problems) {
    var spec = deployment.getSpec();
    if (spec == null || spec.getTemplate() == null || spec.getTemplate().getSpec() == null) {
      problems.add("spec.template.spec", null, "a pod template");
      return;
    }
    Map<String, String> selector =
        spec.getSelector() == null ? null : spec.getSelector().getMatchLabels();
    Map<String, String> labels =
        spec.getTemplate().getMetadata() == null
            ? Map.of()
            : Objects.requireNonNullElse(spec.getTemplate().getMetadata().getLabels(), Map.of());
    if (selector == null || selector.isEmpty()) {
      problems.add("spec.selector.matchLabels", selector, "labels of the pod template");
    } else {
      selector.forEach(
          (key, value) -> {
            if (!value.equals(labels.get(key))) {
              problems.add(
                  "spec.selector.matchLabels." + key,
                  value,
                  "the pod template's label " + key + " (it has " + labels.get(key) + ")");
            }
          });
    }
    podSpec(spec.getTemplate().getSpec(), "spec.template.spec", problems);
  }

  private static void podSpec(PodSpec pod, String at, Problems problems) {
    if (pod.getContainers() == null || pod.getContainers().isEmpty()) {
      problems.add(at + ".containers", null, "at least one container");
      return;
    }
    Set<String> volumes = new HashSet<>();
    for (Volume volume : Objects.requireNonNullElse(pod.getVolumes(), List.<Volume>of())) {
      volumes.add(volume.getName());
    }
    boolean podNonRoot =
        pod.getSecurityContext() != null
            && Boolean.TRUE.equals(pod.getSecurityContext().getRunAsNonRoot());
    for (int i = 0; i < pod.getContainers().size(); i++) {
      container(
          pod.getContainers().get(i), at + ".containers[" + i + "]", volumes, podNonRoot, problems);
    }
  }

  private static void container(
      Container c, String at, Set<String> volumes, boolean podNonRoot, Problems problems) {
    if (c.getName() == null || c.getName().isBlank()) {
      problems.add(at + ".name", c.getName(), "a name");
    }
    if (c.getImage() == null || c.getImage().isBlank()) {
      problems.add(at + ".image", c.getImage(), "an image");
    }
    Set<String> portNames = new HashSet<>();
    List<ContainerPort> ports = Objects.requireNonNullElse(c.getPorts(), List.of());
    for (int i = 0; i < ports.size(); i++) {
      ContainerPort port = ports.get(i);
      if (port.getContainerPort() == null
          || port.getContainerPort() < 1
          || port.getContainerPort() > 65535) {
        problems.add(at + ".ports[" + i + "].containerPort", port.getContainerPort(), "1..65535");
      }
      if (port.getName() != null && !portNames.add(port.getName())) {
        problems.add(at + ".ports[" + i + "].name", port.getName(), "a name no other port has");
      }
    }
    List<VolumeMount> mounts = Objects.requireNonNullElse(c.getVolumeMounts(), List.of());
    for (int i = 0; i < mounts.size(); i++) {
      if (!volumes.contains(mounts.get(i).getName())) {
        problems.add(
            at + ".volumeMounts[" + i + "].name", mounts.get(i).getName(), "one of " + volumes);
      }
    }
    var security = c.getSecurityContext();
    boolean nonRoot =
        podNonRoot || (security != null && Boolean.TRUE.equals(security.getRunAsNonRoot()));
    if (!nonRoot) {
      problems.add(at + ".securityContext.runAsNonRoot", null, "true (here or on the pod)");
    }
    if (security == null || !Boolean.TRUE.equals(security.getReadOnlyRootFilesystem())) {
      problems.add(
          at + ".securityContext.readOnlyRootFilesystem",
          security == null ? null : security.getReadOnlyRootFilesystem(),
          "true");
    }
    if (security == null || !Boolean.FALSE.equals(security.getAllowPrivilegeEscalation())) {
      problems.add(
          at + ".securityContext.allowPrivilegeEscalation",
          security == null ? null : security.getAllowPrivilegeEscalation(),
          "false");
    }
    if (c.getResources() == null
        || c.getResources().getLimits() == null
        || !c.getResources().getLimits().containsKey("memory")) {
      problems.add(at + ".resources.limits.memory", null, "a memory limit");
    }
  }

  private static void service(Service service, Problems problems) {
    var spec = service.getSpec();
    if (spec == null || spec.getSelector() == null || spec.getSelector().isEmpty()) {
      problems.add("spec.selector", null, "labels of the pods it sends to");
    }
    List<ServicePort> ports =
        spec == null ? List.of() : Objects.requireNonNullElse(spec.getPorts(), List.of());
    if (ports.isEmpty()) {
      problems.add("spec.ports", null, "at least one port");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      ServicePort port = ports.get(i);
      if (port.getPort() == null || port.getPort() < 1 || port.getPort() > 65535) {
        problems.add("spec.ports[" + i + "].port", port.getPort(), "1..65535");
      }
      if (ports.size() > 1 && (port.getName() == null || !names.add(port.getName()))) {
        problems.add("spec.ports[" + i + "].name", port.getName(), "a name of its own");
      }
    }
  }

  /** Problems of one manifest, each as {@code manifest: field: value (expected: ...)}. */
  record Problems(String manifest, List<String> out) {
    /** A problem already worded as the API server words it. */
    void as(String said) {
      out.add(manifest + ": " + said);
    }

    void add(String field, @Nullable Object value, String expected) {
      String shown =
          value == null
              ? "<unset>"
              : value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
      out.add(manifest + ": " + field + ": " + shown + " (expected: " + expected + ")");
    }
  }
}
