package dev.sluice.operator.configservice;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Labels;
import dev.sluice.sidecar.config.InvalidConfigException;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rendered configs, one immutable Secret per revision ({@code sluice-config-<revision>} in the
 * pod's namespace; a Secret because listener TLS keys are part of the config). Content-addressed: a
 * revision never changes, so every replica's config service caches what it read, and a new leader
 * finds every revision the pods still name. Revisions no pod names any more are deleted.
 */
public final class RevisionStore {
  public static final String PREFIX = "sluice-config-";
  public static final String KEY = "config.json";

  /** A Secret younger than this is never collected (another replica may be about to use it). */
  static final Duration MIN_AGE = Duration.ofMinutes(2);

  private final KubernetesClient client;
  private final Map<String, SidecarConfig> cache = new ConcurrentHashMap<>();

  public RevisionStore(KubernetesClient client) {
    this.client = client;
  }

  public static String secretName(String revision) {
    return PREFIX + revision;
  }

  /** Stores {@code config} unless its revision is stored already. */
  public void save(String namespace, SidecarConfig config) {
    String revision = requireNonNull(config.revision(), "the renderer stamps every config");
    String key = namespace + "/" + revision;
    if (cache.containsKey(key)) {
      return;
    }
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName(secretName(revision))
            .withNamespace(namespace)
            .addToLabels(Labels.MANAGED_BY, Labels.MANAGED_BY_SLUICE)
            .addToLabels(Labels.CONFIG_REVISION, revision)
            .endMetadata()
            .withType("sluice.dev/config")
            .withImmutable(true)
            .addToData(
                KEY,
                Base64.getEncoder()
                    .encodeToString(
                        SidecarConfigCodec.toJson(config).getBytes(StandardCharsets.UTF_8)))
            .build();
    try {
      client.secrets().inNamespace(namespace).resource(secret).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
    }
    cache.put(key, config);
  }

  /** The config of {@code revision}, or empty when no Secret holds it. */
  public Optional<SidecarConfig> load(String namespace, String revision) {
    String key = namespace + "/" + revision;
    SidecarConfig known = cache.get(key);
    if (known != null) {
      return Optional.of(known);
    }
    Secret secret = client.secrets().inNamespace(namespace).withName(secretName(revision)).get();
    if (secret == null || secret.getData() == null || !secret.getData().containsKey(KEY)) {
      return Optional.empty();
    }
    String json =
        new String(Base64.getDecoder().decode(secret.getData().get(KEY)), StandardCharsets.UTF_8);
    try {
      SidecarConfig config = SidecarConfigCodec.readJson(json, secretName(revision));
      cache.put(key, config);
      return Optional.of(config);
    } catch (InvalidConfigException e) {
      throw new IllegalStateException(
          "Secret " + namespace + "/" + secretName(revision) + " does not hold a valid config", e);
    }
  }

  /**
   * Deletes the stored revisions of {@code namespace} not in {@code inUse} and older than {@link
   * #MIN_AGE}; returns how many.
   */
  public int collect(String namespace, Set<String> inUse, Instant now) {
    int deleted = 0;
    for (Secret secret :
        client
            .secrets()
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_SLUICE)
            .list()
            .getItems()) {
      String revision = secret.getMetadata().getLabels().get(Labels.CONFIG_REVISION);
      String created = secret.getMetadata().getCreationTimestamp();
      boolean old = created == null || Instant.parse(created).isBefore(now.minus(MIN_AGE));
      if (revision != null && !inUse.contains(revision) && old) {
        client.secrets().inNamespace(namespace).withName(secret.getMetadata().getName()).delete();
        cache.remove(namespace + "/" + revision);
        deleted++;
      }
    }
    return deleted;
  }
}
