package dev.sluice.cli.status;

import dev.sluice.operator.inject.Injector;
import java.util.ArrayList;
import java.util.List;

/** The next commands to run for a pod that failed or is behind, most telling first. */
public final class Hints {
  private Hints() {}

  public static List<String> forPod(
      String namespace, String pod, PodState state, List<String> routes) {
    List<String> out = new ArrayList<>();
    if (!state.needsAttention()) {
      return out;
    }
    String logs = "kubectl logs " + pod + " -n " + namespace + " -c " + Injector.CONTAINER;
    String diff = "kubectl sluice config " + pod + " -n " + namespace + " --diff";
    if (state == PodState.failed) {
      out.add(logs);
      out.add(diff);
    } else {
      out.add(diff);
      out.add(logs);
    }
    routes.forEach(r -> out.add("kubectl describe proxyroute " + r + " -n " + namespace));
    return out;
  }
}
