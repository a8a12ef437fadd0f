package dev.sluice.sidecar;

import dev.sluice.sidecar.config.InvalidConfigException;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar sluice-sidecar.jar --config FILE}: the sidecar without Kubernetes. */
@Command(
    name = "sluice-sidecar",
    mixinStandardHelpOptions = true,
    version = "sluice-sidecar 0.1.0",
    description = "Runs the Sluice proxy sidecar from a SidecarConfig file (standalone mode).",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:stopped normally", "1:failed while running", "2:invalid config or usage"})
public final class SidecarMain implements Callable<Integer> {
  static final int EXIT_INVALID = 2;

  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "SidecarConfig YAML or JSON (see examples/standalone/).")
  Path config;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "I/O threads (default: number of cores).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(
      names = "--check",
      description = "Validate the config, print the normalized form and exit.")
  boolean check;

  private final CountDownLatch stop = new CountDownLatch(1);
  private PrintWriter out;
  private PrintWriter err;

  @Override
  public Integer call() throws Exception {
    SidecarConfig loaded;
    try {
      loaded = SidecarConfigCodec.read(config);
    } catch (InvalidConfigException e) {
      err.println("sluice-sidecar: " + e.getMessage());
      err.flush();
      return EXIT_INVALID;
    }
    if (check) {
      out.print(SidecarConfigCodec.toYaml(loaded));
      out.flush();
      return 0;
    }
    Sidecar sidecar;
    try {
      sidecar = new Sidecar(threads).start(loaded);
    } catch (IllegalStateException | IllegalArgumentException e) {
      err.println("sluice-sidecar: " + config + ": " + e.getMessage());
      err.flush();
      return EXIT_INVALID;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  sidecar.close();
                  stop.countDown();
                },
                "sluice-shutdown"));
    out.println(
        "sluice-sidecar: revision "
            + loaded.revision()
            + ", listening on "
            + sidecar.listenerAddresses()
            + ", admin http://"
            + sidecar.adminAddress().getHostString()
            + ":"
            + sidecar.adminAddress().getPort()
            + "/ready (Ctrl-C stops)");
    out.flush();
    stop.await();
    return 0;
  }

  /** Runs the command with the given streams; returns the exit code (tests call this). */
  static int run(PrintWriter out, PrintWriter err, String... args) {
    SidecarMain main = new SidecarMain();
    main.out = out;
    main.err = err;
    CommandLine commandLine = new CommandLine(main).setOut(out).setErr(err);
    commandLine.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("sluice-sidecar: " + ex.getMessage());
          ex.getCommandLine().usage(err);
          return EXIT_INVALID;
        });
    return commandLine.execute(args);
  }

  public static void main(String[] args) {
    // checkstyle:terminal-output-begin
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    // checkstyle:terminal-output-end
    System.exit(run(out, err, args));
  }
}
