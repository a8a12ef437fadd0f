package dev.sluice.testing.kubernetes;

import dev.sluice.api.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Map;

/**
 * Objects as a cluster would hold them, for the operator's tests, the sandbox and the scale
 * benchmark: a Service and its EndpointSlice, a pod the webhook injected and the kubelet runs.
 */
public final class ClusterFixtures {
  /** The port name of {@link #service} and {@link #endpointSlice}. */
  public static final String PORT_NAME = "http";

  /**
   * The injector's MutatingWebhookConfiguration {@code sluice-sidecar-injector} as an install
   * leaves it before the operator starts: one webhook calling Service {@code
   * sluice-system/sluice-operator}, no caBundle yet (the operator patches it in).
   */
  public static MutatingWebhookConfiguration injectorWebhook() {
    return new MutatingWebhookConfigurationBuilder()
        .withNewMetadata()
        .withName("sluice-sidecar-injector")
        .endMetadata()
        .addNewWebhook()
        .withName("pods.inject.sluice.dev")
        .withNewClientConfig()
        .withNewService()
        .withName("sluice-operator")
        .withNamespace("sluice-system")
        .endService()
        .endClientConfig()
        .endWebhook()
        .build();
  }

  /** A Service with one port named {@value #PORT_NAME}. */
  public static Service service(String namespace, String name, int port) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withNewSpec()
        .addNewPort()
        .withName(PORT_NAME)
        .withPort(port)
        .endPort()
        .endSpec()
        .build();
  }

  /** The EndpointSlice of {@code service}: ready {@code addresses} on {@code targetPort}. */
  public static EndpointSlice endpointSlice(
      String namespace, String service, int targetPort, List<String> addresses) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withName(service + "-abc")
        .withNamespace(namespace)
        .addToLabels("kubernetes.io/service-name", service)
        .endMetadata()
        .withAddressType("IPv4")
        .addNewPort()
        .withName(PORT_NAME)
        .withPort(targetPort)
        .endPort()
        .withEndpoints(
            addresses.stream()
                .map(
                    a ->
                        new EndpointBuilder()
                            .withAddresses(a)
                            .withNewConditions()
                            .withReady(true)
                            .endConditions()
                            .build())
                .toList())
        .build();
  }

  /**
   * A running, ready pod with an app container and the injected sidecar (label {@link
   * Labels#SIDECAR}, annotation {@link Labels#INJECTED} = {@code injectedBy}).
   */
  public static Pod sidecarPod(
      String namespace, String name, Map<String, String> labels, String injectedBy) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .addToLabels(labels)
        .addToLabels(Labels.SIDECAR, "true")
        .addToAnnotations(Labels.INJECTED, injectedBy)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("registry.example/app:1")
        .endContainer()
        .addNewContainer()
        .withName("sluice-sidecar")
        .withImage("registry.example/sluice-sidecar:test")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .endStatus()
        .build();
  }

  private ClusterFixtures() {}
}
