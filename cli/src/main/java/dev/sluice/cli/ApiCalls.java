package dev.sluice.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Runs a read against the API server and turns the ways it fails into sentences: unreachable (exit
 * 2, naming the server and what to try), forbidden or unauthorized (exit 1, naming the request).
 */
public final class ApiCalls {
  private ApiCalls() {}

  public static <T> T read(KubernetesClient client, String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (KubernetesClientException e) {
      throw failure(client, what, e);
    }
  }

  /** The failure a {@link KubernetesClientException} from reading {@code what} means. */
  public static CliFailure failure(
      KubernetesClient client, String what, KubernetesClientException e) {
    return failure(client.getConfiguration().getMasterUrl(), what, e);
  }

  /** The same for a server whose address is not known here (null). */
  public static CliFailure failure(
      @Nullable String server, String what, KubernetesClientException e) {
    if (e.getCode() <= 0) {
      Throwable cause = e;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      return new CliFailure(
          CliFailure.UNREACHABLE,
          "cannot reach the Kubernetes API server"
              + (server == null ? "" : " at " + server)
              + " ("
              + cause.getClass().getSimpleName()
              + (cause.getMessage() == null ? "" : ": " + cause.getMessage())
              + "); check the context with: kubectl cluster-info");
    }
    String why =
        switch (e.getCode()) {
          case 401 -> "the API server did not accept the credentials (401)";
          case 403 -> "the API server refused it (403 Forbidden)";
          default -> "the API server answered " + e.getCode();
        };
    return new CliFailure(
        CliFailure.FAILED,
        "cannot read " + what + ": " + why + (e.getStatus() == null ? "" : ": " + message(e)));
  }

  private static String message(KubernetesClientException e) {
    String m = e.getStatus().getMessage();
    return m == null ? "" : m;
  }
}
