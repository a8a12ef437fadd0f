package dev.sluice.cli.check;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;

/** One preflight concern; its results print one line each. */
interface Check {
  List<CheckResult> run(KubernetesClient client, Installation install, Instant now);
}
