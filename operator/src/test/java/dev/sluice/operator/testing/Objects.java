package dev.sluice.operator.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.certs.Certificates;
import dev.sluice.testing.kubernetes.ClusterFixtures;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The objects the operator tests apply, built the way users and controllers would make them. */
public final class Objects {
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();

  private Objects() {}

  /** An injected pod (label, annotation and sidecar container), Ready. */
  public static Pod sidecarPod(String namespace, String name, Map<String, String> labels) {
    return ClusterFixtures.sidecarPod(namespace, name, labels, "test");
  }

  /** A Service with one port and an EndpointSlice of ready addresses behind it. */
  public static Service service(String namespace, String name, int port) {
    return ClusterFixtures.service(namespace, name, port);
  }

  public static EndpointSlice endpoints(
      String namespace, String service, int targetPort, List<String> addresses) {
    return ClusterFixtures.endpointSlice(namespace, service, targetPort, addresses);
  }

  /**
   * A ProxyRoute in namespace shop selecting {@code app: <app>} with a listener on {@code port} and
   * {@code rules} (YAML flow or block, indented for the spec).
   */
  public static ProxyRoute route(String name, String app, int port, String rules) {
    return route(
        """
        apiVersion: sluice.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: %s, namespace: shop}
        spec:
          selector: {matchLabels: {app: %s}}
          listener: {port: %d}
          rules: %s
        """
            .formatted(name, app, port, rules));
  }

  /** A ProxyRoute from YAML (as a user would write it). */
  public static ProxyRoute route(String yaml) {
    return read(yaml, ProxyRoute.class);
  }

  /** An OffloadAgent in namespace shop at static {@code endpoints} with one message, check. */
  public static OffloadAgent agent(String name, List<String> endpoints) {
    return agent(
        """
        apiVersion: sluice.dev/v1alpha1
        kind: OffloadAgent
        metadata: {name: %s, namespace: shop}
        spec:
          endpoints: %s
          timeouts: {processing: 300ms}
          messages: [{name: check, args: [{name: src, value: src}]}]
        """
            .formatted(name, endpoints));
  }

  public static OffloadAgent agent(String yaml) {
    return read(yaml, OffloadAgent.class);
  }

  private static <T> T read(String yaml, Class<T> type) {
    try {
      return JSON.treeToValue(YAML.readTree(yaml), type);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A kubernetes.io/tls Secret in namespace shop: a fresh certificate for {@code commonName}. */
  public static Secret tlsSecret(String name, String commonName) {
    Instant now = Instant.now();
    Certificates.Pair ca = Certificates.authority(commonName + "-ca", now, Duration.ofDays(1));
    Certificates.Pair serving =
        Certificates.serving(ca, List.of(commonName), now, Duration.ofDays(1));
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("shop")
        .endMetadata()
        .withType("kubernetes.io/tls")
        .withStringData(
            Map.of("tls.crt", serving.certificatePem(), "tls.key", serving.privateKeyPem()))
        .build();
  }

  /** A ConfigMap in namespace shop. */
  public static ConfigMap configMap(String name, Map<String, String> data) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("shop")
        .endMetadata()
        .withData(data)
        .build();
  }
}
