package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** With no API server behind the kubeconfig, every command says so in one sentence and exits 2. */
class UnreachableIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"status", "config storefront-0", "check"})
  void noClusterIsExit2(String command) throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Path kubeconfig =
        Files.writeString(
            dir.resolve("kubeconfig"),
            """
            apiVersion: v1
            kind: Config
            clusters: [{name: gone, cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: gone, context: {cluster: gone, user: u, namespace: shop}}]
            current-context: gone
            """
                .formatted(port));
    String[] args = (command + " --kubeconfig " + kubeconfig).split(" ");
    Run run = Run.of(Clock.systemUTC(), args);
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .startsWith(
            "kubectl sluice: cannot reach the Kubernetes API server at https://127.0.0.1:" + port)
        .contains("kubectl cluster-info")
        .hasLineCount(1);
  }
}
