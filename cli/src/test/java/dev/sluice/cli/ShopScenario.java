package dev.sluice.cli;

import dev.sluice.operator.pods.AgentHealthRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The story the status, config and check goldens tell: the shop rolled out everywhere, then an edit
 * to the route (two pods at a time, halt on failure) whose new revision the first pod's sidecar
 * rejects while the second has not reported yet.
 */
final class ShopScenario {
  static final String REJECTION =
      "listeners[0].tls.certificatePem: \"<redacted>\" (expected: a PEM certificate the sidecar can"
          + " load)";

  private ShopScenario() {}

  static ShopCluster rolledOutThenRejected(Path dir) throws IOException {
    ShopCluster shop = new ShopCluster(dir, "32").gatewayApi().shop().operatorInstalled();
    shop.rollOut();
    for (String pod : ShopCluster.PODS) {
      shop.agentHealth(
          pod,
          Map.of(
              "waf", new AgentHealthRecord.Endpoints(1, 1),
              "iprep", new AgentHealthRecord.Endpoints(2, pod.endsWith("2") ? 1 : 2)));
    }
    shop.advance(Duration.ofMinutes(5));
    // a longer request timeout, rolled out two pods at a time, halting on failure
    shop.editRoute(
        yaml ->
            yaml.replace("request: \"30s\"", "request: \"45s\"")
                .replace("batchSize: \"25%\"", "batchSize: 2")
                .replace("onFailure: \"Rollback\"", "onFailure: \"Halt\""));
    shop.reconcile();
    String rejecting =
        ShopCluster.PODS.stream()
            .filter(
                p ->
                    !Objects.equals(
                        shop.record(p).rollout().assigned(), shop.record(p).rollout().applied()))
            .findFirst()
            .orElseThrow(
                () -> new IllegalStateException("the edit assigned no pod a new revision"));
    shop.advance(Duration.ofSeconds(20));
    shop.reject(rejecting, shop.record(rejecting).rollout().assigned(), REJECTION);
    shop.advance(Duration.ofSeconds(10));
    shop.reconcile();
    shop.advance(Duration.ofSeconds(30));
    return shop;
  }
}
