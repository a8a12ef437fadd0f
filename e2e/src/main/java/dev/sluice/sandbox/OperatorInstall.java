package dev.sluice.sandbox;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an install puts around the operator, as the chart does, so that the sandbox's API holds what
 * a cluster's holds (and {@code kubectl sluice check} finds it): before the operator starts, its
 * ServiceAccount and RBAC and the injection webhook's registration, from operator/deploy (which
 * ChartRbacIT keeps equal to the chart's, and the e2e build puts on the classpath); once it
 * listens, its Service and the EndpointSlice the endpoint controller would write, naming the
 * in-process operator's loopback address and ports.
 */
final class OperatorInstall {
  /** The operator's Service, ServiceAccount and roles: the chart's names for release sluice. */
  static final String NAME = "sluice-operator";

  /** The webhook registration operator/deploy/webhook.yaml makes. */
  static final String WEBHOOK = "sluice-sidecar-injector";

  private static final String MANIFESTS = "dev/sluice/sandbox/install/";
  private static final List<String> FILES = List.of("rbac.yaml", "webhook.yaml");

  private OperatorInstall() {}

  /** Creates every object of operator/deploy's RBAC and webhook manifests; returns them. */
  static List<HasMetadata> applyManifests(KubernetesClient client) throws IOException {
    List<HasMetadata> created = new ArrayList<>();
    for (String file : FILES) {
      try (InputStream in =
          OperatorInstall.class.getClassLoader().getResourceAsStream(MANIFESTS + file)) {
        if (in == null) {
          throw new IllegalStateException(
              MANIFESTS
                  + file
                  + " is not on the classpath (expected: operator/deploy/"
                  + file
                  + ", copied there by the e2e build)");
        }
        for (HasMetadata object : client.load(in).items()) {
          created.add(client.resource(object).create());
        }
      }
    }
    return created;
  }

  /**
   * The operator's Service in {@code namespace} with the chart's port names, and its EndpointSlice:
   * one ready endpoint at {@code address} on {@code ports} (port name to port).
   */
  static void service(
      KubernetesClient client, String namespace, String address, Map<String, Integer> ports) {
    ServiceBuilder service =
        new ServiceBuilder()
            .withNewMetadata()
            .withName(NAME)
            .withNamespace(namespace)
            .endMetadata()
            .withNewSpec()
            .addToSelector("app.kubernetes.io/name", NAME)
            .endSpec();
    EndpointSliceBuilder slice =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withName(NAME + "-sandbox")
            .withNamespace(namespace)
            .addToLabels("kubernetes.io/service-name", NAME)
            .endMetadata()
            .withAddressType("IPv4")
            .addNewEndpoint()
            .withAddresses(address)
            .withNewConditions()
            .withReady(true)
            .withServing(true)
            .withTerminating(false)
            .endConditions()
            .endEndpoint();
    for (Map.Entry<String, Integer> port : ports.entrySet()) {
      service
          .editSpec()
          .addNewPort()
          .withName(port.getKey())
          .withPort(port.getValue())
          .withTargetPort(new IntOrString(port.getKey()))
          .endPort()
          .endSpec();
      slice.addNewPort().withName(port.getKey()).withPort(port.getValue()).endPort();
    }
    Service built = service.build();
    EndpointSlice endpoints = slice.build();
    client.resource(built).create();
    client.resource(endpoints).create();
  }
}
