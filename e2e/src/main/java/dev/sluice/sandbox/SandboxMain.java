package dev.sluice.sandbox;

import dev.sluice.operator.OperatorVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar e2e/target/sluice-sandbox.jar}: the whole of Sluice on this machine's loopback,
 * no cluster needed. Runs the demo, then keeps running for the user until Ctrl-C (or, with {@code
 * --non-interactive}, stops and exits 0 when every check passed, 1 otherwise).
 */
@Command(
    name = "sluice-sandbox",
    mixinStandardHelpOptions = true,
    version = "sluice-sandbox " + OperatorVersion.VERSION,
    description =
        "Runs Sluice end to end on loopback (Linux: it uses addresses in 127.0.0.0/8): an"
            + " embedded Kubernetes API, the operator, pods with real sidecars, demo backends and"
            + " SPOE agents; applies examples/shop, examples/canary and examples/httproute (when"
            + " Gateway API's CRDs are beside the checkout), sends demo traffic and does a rolling"
            + " reload.")
public final class SandboxMain implements Callable<Integer> {
  @Option(
      names = "--non-interactive",
      description = "Run the demo and stop (exit 0 when every check passed); for CI.")
  boolean nonInteractive;

  @Option(
      names = "--examples",
      paramLabel = "DIR",
      description =
          "The resources to apply, one directory after the other (repeatable). Default:"
              + " examples/shop, examples/canary and examples/httproute (or under ../examples).")
  List<Path> examples = new ArrayList<>();

  @Option(
      names = "--network",
      paramLabel = "N",
      description =
          "The second octet of the sandbox's loopback addresses (127.N.x.y, 0 to 254): a second"
              + " sandbox on this machine needs another. Default: 0.")
  int network;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description = "Where the kubeconfig and the pods' files go. Default: a new temp directory.")
  Path work;

  public static void main(String[] args) {
    allowHostHeaderAndIpTargets();
    System.exit(new CommandLine(new SandboxMain()).execute(args));
  }

  /**
   * The demo client talks to each pod's address while asking for shop.example.com, as a client
   * behind a load balancer would: it sets Host itself and skips hostname verification (the
   * certificate is shop.example.com's, the URL names the pod's IP).
   */
  static void allowHostHeaderAndIpTargets() {
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
  }

  @Override
  public Integer call() throws Exception {
    List<Path> dirs = examples;
    if (dirs.isEmpty()) {
      Path root =
          Files.isDirectory(Path.of("examples")) ? Path.of("examples") : Path.of("../examples");
      dirs = List.of(root.resolve("shop"), root.resolve("canary"), root.resolve("httproute"));
    }
    for (Path dir : dirs) {
      if (!Files.isDirectory(dir)) {
        // checkstyle:terminal-output-begin
        System.err.println(
            "sluice-sandbox: --examples "
                + dir
                + " is not a directory (expected: examples/shop, then examples/canary and"
                + " examples/httproute;"
                + " run from the repository root)");
        // checkstyle:terminal-output-end
        return 2;
      }
    }
    Path workDir = work != null ? work : Files.createTempDirectory("sluice-sandbox");
    // checkstyle:terminal-output-begin
    var out = System.out;
    // checkstyle:terminal-output-end
    Sandbox sandbox = new Sandbox(out, dirs, workDir, new SandboxNetwork(network));
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              out.println("\nStopping: sidecars, operator, backends, agents, API.");
              sandbox.close();
              stopped.countDown();
            },
            "sandbox-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      sandbox.run();
    } catch (Exception e) {
      out.println("\nThe sandbox failed: " + e);
      e.printStackTrace(out);
      return 1;
    }
    out.printf(
        "%n%s: %d checks failed.%n",
        sandbox.failures() == 0 ? "All checks passed" : "Some checks failed", sandbox.failures());
    if (nonInteractive) {
      return sandbox.failures() == 0 ? 0 : 1;
    }
    sandbox.printAddresses();
    stopped.await();
    return 0;
  }
}
