package dev.sluice.sandbox;

import dev.sluice.api.v1alpha1.OffloadAgent;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * What a failed scenario prints about the shop namespace: the route, the agents' status, the pods'
 * records (their annotations) and the events.
 */
final class ShopDiagnostics {
  private ShopDiagnostics() {}

  static String of(KubernetesClient client, ShopRoute route) {
    StringBuilder out = new StringBuilder();
    try {
      out.append(Serialization.asYaml(route.get()));
      for (OffloadAgent a :
          client.resources(OffloadAgent.class).inNamespace(ShopDemo.NS).list().getItems()) {
        out.append(Serialization.asYaml(a.getStatus()));
      }
      for (Pod p : client.pods().inNamespace(ShopDemo.NS).list().getItems()) {
        out.append("pod ")
            .append(p.getMetadata().getName())
            .append(' ')
            .append(p.getMetadata().getAnnotations())
            .append('\n');
      }
      client
          .v1()
          .events()
          .inNamespace(ShopDemo.NS)
          .list()
          .getItems()
          .forEach(
              e ->
                  out.append("event ")
                      .append(e.getType())
                      .append(' ')
                      .append(e.getReason())
                      .append(": ")
                      .append(e.getMessage())
                      .append('\n'));
    } catch (RuntimeException e) {
      out.append("(diagnostics failed: ").append(e).append(")\n");
    }
    return out.toString();
  }
}
