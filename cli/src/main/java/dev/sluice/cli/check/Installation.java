package dev.sluice.cli.check;

/**
 * Where the operator is installed and what its objects are called (the chart's names for release
 * {@code sluice} in {@code sluice-system} by default, the same as operator/deploy).
 *
 * @param namespace the operator's namespace
 * @param serviceAccount its ServiceAccount
 * @param webhook the MutatingWebhookConfiguration
 * @param tlsSecret the Secret with its serving certificate and CA
 */
public record Installation(
    String namespace, String serviceAccount, String webhook, String tlsSecret) {
  /** How to install or repair it: the chart, as the README installs it. */
  public String reinstall() {
    return "helm upgrade --install sluice charts/sluice --namespace " + namespace;
  }

  public String operatorLogs() {
    return "kubectl logs -n " + namespace + " deploy/" + serviceAccount;
  }

  public String restartOperator() {
    return "kubectl rollout restart -n " + namespace + " deploy/" + serviceAccount;
  }
}
