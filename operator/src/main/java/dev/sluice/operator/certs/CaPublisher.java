package dev.sluice.operator.certs;

import dev.sluice.api.Labels;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the ConfigMap with the CA bundle (key {@code ca.crt}) in every namespace with injected
 * pods: their sidecars mount it to trust the config service. Written when the webhook injects a pod
 * (so it exists before the pod starts) and re-written in every namespace it was written to when the
 * bundle changes. Remembers what it wrote, so a namespace costs one request per bundle.
 */
public final class CaPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(CaPublisher.class);

  private final KubernetesClient client;
  private final String name;
  private final Map<String, String> written = new ConcurrentHashMap<>();
  private volatile @Nullable String bundle; // none until the certificates are read

  public CaPublisher(KubernetesClient client, String name) {
    this.client = client;
    this.name = name;
  }

  /** The bundle changed: publish it where it was published before. */
  public void bundle(String pem) {
    this.bundle = pem;
    for (String namespace : written.keySet()) {
      ensure(namespace);
    }
  }

  /** Makes sure {@code namespace} has the current bundle. Never throws. */
  public void ensure(String namespace) {
    String pem = bundle;
    if (pem == null || pem.equals(written.get(namespace))) {
      return;
    }
    ConfigMap map =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .addToLabels(Labels.MANAGED_BY, Labels.MANAGED_BY_SLUICE)
            .endMetadata()
            .addToData("ca.crt", pem)
            .build();
    try {
      client
          .configMaps()
          .inNamespace(namespace)
          .resource(map)
          .createOr(existing -> existing.update());
      written.put(namespace, pem);
    } catch (KubernetesClientException e) {
      LOG.warn("cannot publish the CA bundle to {}/{}: {}", namespace, name, e.getMessage());
    }
  }
}
