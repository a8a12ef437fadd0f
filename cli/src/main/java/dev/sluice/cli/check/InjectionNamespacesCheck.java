package dev.sluice.cli.check;

import dev.sluice.api.Labels;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;

/** Which namespaces the webhook injects (label {@code sluice.dev/inject=enabled}). */
final class InjectionNamespacesCheck implements Check {
  @Override
  public List<CheckResult> run(KubernetesClient client, Installation install, Instant now) {
    String check = "injection namespaces";
    List<String> names =
        client
            .namespaces()
            .withLabel(Labels.INJECT, Labels.INJECT_NAMESPACE_ENABLED)
            .list()
            .getItems()
            .stream()
            .map(Namespace::getMetadata)
            .map(m -> m.getName())
            .sorted()
            .toList();
    if (names.isEmpty()) {
      return List.of(
          CheckResult.warn(
              check,
              "no namespace labelled "
                  + Labels.INJECT
                  + "="
                  + Labels.INJECT_NAMESPACE_ENABLED
                  + " (pods elsewhere opt in with the pod label "
                  + Labels.INJECT
                  + "=true)",
              "kubectl label namespace NAMESPACE "
                  + Labels.INJECT
                  + "="
                  + Labels.INJECT_NAMESPACE_ENABLED));
    }
    return List.of(
        CheckResult.pass(
            check,
            names.size()
                + " labelled "
                + Labels.INJECT
                + "="
                + Labels.INJECT_NAMESPACE_ENABLED
                + ": "
                + String.join(", ", names)));
  }
}
