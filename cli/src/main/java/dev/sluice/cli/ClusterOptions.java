package dev.sluice.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The options every command shares with kubectl: which cluster (kubeconfig resolution as kubectl
 * does it: {@code --kubeconfig}, else {@code KUBECONFIG}, else {@code ~/.kube/config}, else the
 * pod's ServiceAccount in-cluster), which context and which namespace.
 */
public final class ClusterOptions {
  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description =
          "Path to the kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster).")
  @Nullable File kubeconfig;

  @Option(
      names = "--context",
      paramLabel = "NAME",
      description = "The kubeconfig context to use (default: the current context).")
  @Nullable String context;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description = "The namespace (default: the context's namespace, else default).")
  @Nullable String namespace;

  /** A client for the chosen cluster; fails fast (no retries) when it cannot be reached. */
  public KubernetesClient connect() {
    Config config;
    if (kubeconfig != null) {
      if (!kubeconfig.isFile()) {
        throw new CliFailure(
            CliFailure.UNREACHABLE,
            "--kubeconfig: " + kubeconfig + " (expected: a readable kubeconfig file)");
      }
      config = Config.fromKubeconfig(context, kubeconfig);
    } else {
      config = Config.autoConfigure(context);
    }
    // a CLI answers or says why, promptly: no retries, and no request waits without bound
    config.setRequestRetryBackoffLimit(0);
    config.setConnectionTimeout(5_000);
    config.setRequestTimeout(30_000);
    // a few GETs need no multiplexing; the JDK client's HTTP/2 has left a request unanswered
    // against the embedded API server (CheckIT), HTTP/1.1 has not
    config.setHttp2Disable(true);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** {@code -n}, else the context's namespace, else {@code default}. */
  public String namespace(KubernetesClient client) {
    if (namespace != null) {
      return namespace;
    }
    String fromContext = client.getConfiguration().getNamespace();
    return fromContext == null ? "default" : fromContext;
  }
}
