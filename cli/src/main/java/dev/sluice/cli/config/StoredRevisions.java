package dev.sluice.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.cli.ApiCalls;
import dev.sluice.cli.CliFailure;
import dev.sluice.operator.configservice.RevisionStore;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The rendered configs where the operator keeps them: one immutable Secret per revision ({@link
 * RevisionStore}: {@code sluice-config-<revision>}, key {@code config.json}) in the pod's
 * namespace.
 */
final class StoredRevisions {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final KubernetesClient client;

  StoredRevisions(KubernetesClient client) {
    this.client = client;
  }

  /** The config of {@code revision} as stored (secrets still in). */
  JsonNode load(String namespace, String revision) {
    String name = RevisionStore.secretName(revision);
    Secret secret =
        ApiCalls.read(
            client,
            "Secret " + namespace + "/" + name,
            () -> client.secrets().inNamespace(namespace).withName(name).get());
    if (secret == null
        || secret.getData() == null
        || !secret.getData().containsKey(RevisionStore.KEY)) {
      throw new CliFailure(
          CliFailure.FAILED,
          "revision "
              + revision
              + ": Secret "
              + namespace
              + "/"
              + name
              + " not found or without "
              + RevisionStore.KEY
              + " (expected: the operator stores every revision a pod names; check its logs: kubectl"
              + " logs -n sluice-system deploy/sluice-operator)");
    }
    try {
      return JSON.readTree(
          new String(
              Base64.getDecoder().decode(secret.getData().get(RevisionStore.KEY)),
              StandardCharsets.UTF_8));
    } catch (IOException | IllegalArgumentException e) {
      throw new CliFailure(
          CliFailure.FAILED,
          "Secret "
              + namespace
              + "/"
              + name
              + ": "
              + RevisionStore.KEY
              + " is not a JSON config (expected: what the operator stored)");
    }
  }
}
