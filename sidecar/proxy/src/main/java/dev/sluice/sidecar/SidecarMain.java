package dev.sluice.sidecar;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.config.InvalidConfigException;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.footprint.IdleHeapTrim;
import dev.sluice.sidecar.footprint.TrainingRun;
import dev.sluice.sidecar.reload.ConfigFileWatcher;
import dev.sluice.sidecar.reload.ConfigServiceClient;
import dev.sluice.sidecar.reload.EndpointsClient;
import dev.sluice.sidecar.reload.Signals;
import dev.sluice.sidecar.trace.Spans;
import dev.sluice.sidecar.transport.Io;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code java -jar sluice-sidecar.jar --config FILE}: the sidecar without Kubernetes. */
@Command(
    name = "sluice-sidecar",
    mixinStandardHelpOptions = true,
    version = "sluice-sidecar 0.1.0",
    description = "Runs the Sluice proxy sidecar from a SidecarConfig file (standalone mode).",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:stopped normally", "1:failed while running", "2:invalid config or usage"},
    footer = {
      "%nStarted without a JVM heap option (-Xmx, -XX:MaxRAMPercentage, ...), it starts java again"
          + " with the sidecar's (a 128 MiB heap, serial GC) and passes SIGTERM, SIGINT and SIGHUP"
          + " on; SLUICE_JVM_DEFAULTS=off keeps the JVM as started."
    })
public final class SidecarMain implements Callable<Integer> {
  static final int EXIT_INVALID = 2;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "SidecarConfig YAML or JSON (see examples/standalone/); reloaded when it changes and on"
              + " SIGHUP.")
  @Nullable Path config;

  @Option(
      names = "--config-service",
      paramLabel = "URL",
      description =
          "The operator's config service for this pod (https://.../v1/pods/<ns>/<pod>): long-polled"
              + " for new configs, told every outcome. Without --config the first config comes from"
              + " it too.")
  @Nullable URI configService;

  @Option(
      names = "--config-service-ca",
      paramLabel = "FILE",
      description = "PEM CA certificates the config service's certificate must chain to.")
  @Nullable Path configServiceCa;

  @Option(
      names = "--config-cache",
      paramLabel = "FILE",
      description =
          "With --config-service: keep the last applied config here; a restart starts with it when"
              + " the service cannot be reached within 10s.")
  @Nullable Path configCache;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "Bearer token for the config service (the pod's projected ServiceAccount token).")
  @Nullable Path tokenFile;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description =
          "I/O threads (default: the cores this JVM may use, at most 2; an injected sidecar gets"
              + " its CPU request, rounded up).")
  int threads = defaultThreads(Runtime.getRuntime().availableProcessors());

  @Option(
      names = "--training-run",
      description =
          "Serve a built-in config on loopback, send it every kind of traffic, reload once and"
              + " exit: with -XX:ArchiveClassesAtExit=FILE, builds the class archive the image"
              + " ships.")
  boolean trainingRun;

  @Mixin AccessLogOption accessLog = new AccessLogOption();

  @Mixin SpanExportOptions spanExport = new SpanExportOptions();

  @Option(
      names = "--check",
      description = "Validate the config, print the normalized form and exit.")
  boolean check;

  @Option(
      names = "--watch",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Reload when the config file changes (default: on; SIGHUP always reloads).")
  boolean watch;

  private final PrintWriter out;
  private final PrintWriter err;

  private SidecarMain(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() throws Exception {
    try {
      if (trainingRun) {
        return new TrainingRun(out).run(threads);
      }
      if (config == null && configService == null) {
        err.println("sluice-sidecar: --config FILE or --config-service URL is required");
        new CommandLine(this).usage(err);
        throw exit(EXIT_INVALID);
      }
      ConfigServiceClient service = configService != null ? connect(configService) : null;
      SidecarConfig loaded = load(service);
      if (check) {
        out.print(SidecarConfigCodec.toYaml(loaded));
        out.flush();
        return 0;
      }
      Spans spans = spanExport.spans(err); // checked before anything starts
      Sidecar sidecar = new Sidecar(threads, Io.defaults(), accessLog.output(err), spans);
      EndpointsClient endpoints = firstEndpoints(service, sidecar, loaded);
      start(sidecar, loaded);
      ConfigFileWatcher watcher = followChanges(sidecar, service);
      if (endpoints != null) {
        endpoints.start();
      }
      IdleHeapTrim heapTrim = IdleHeapTrim.start();
      ProcessShutdown shutdown = new ProcessShutdown(sidecar, service, watcher, endpoints);
      shutdown.install();
      announce(sidecar, loaded);
      shutdown.await();
      if (heapTrim != null) {
        heapTrim.close();
      }
      return 0;
    } catch (CommandExit e) {
      return e.code;
    }
  }

  private CommandExit exit(int code) {
    err.flush();
    return new CommandExit(code);
  }

  private ConfigServiceClient connect(URI service) throws CommandExit {
    try {
      return new ConfigServiceClient(service, tokenFile, configServiceCa).cacheIn(configCache);
    } catch (IllegalArgumentException e) {
      throw CommandExit.invalid(err, String.valueOf(e.getMessage()));
    }
  }

  /** The first config: the file, or the config service (sooner when a cached one can stand in). */
  private SidecarConfig load(@Nullable ConfigServiceClient service)
      throws CommandExit, InterruptedException {
    try {
      return config != null
          ? SidecarConfigCodec.read(config)
          : requireNonNull(service) // without --config there is a --config-service
              .first(
                  configCache != null && Files.exists(configCache)
                      ? Duration.ofSeconds(10)
                      : Duration.ofMinutes(5));
    } catch (InvalidConfigException e) {
      throw CommandExit.invalid(err, String.valueOf(e.getMessage()));
    } catch (IllegalStateException e) {
      err.println("sluice-sidecar: " + e.getMessage());
      throw exit(1);
    }
  }

  /**
   * With a config service: the endpoints long-poll, and when the config names clusters (its
   * upstreams' or its agents'), their endpoints fetched before the listeners bind (at most {@link
   * #FIRST_ENDPOINTS}, then the cached ones, else serving 503 for them until they arrive).
   */
  private @Nullable EndpointsClient firstEndpoints(
      @Nullable ConfigServiceClient service, Sidecar sidecar, SidecarConfig loaded)
      throws InterruptedException {
    if (service == null) {
      return null;
    }
    EndpointsClient client =
        new EndpointsClient(service, sidecar.endpoints(), sidecar.metrics(), configCache);
    if (!loaded.clusterNames().isEmpty()) {
      client.first(FIRST_ENDPOINTS);
    }
    return client;
  }

  /**
   * How long a sidecar whose config names clusters (upstreams' or agents') waits for their
   * endpoints before binding.
   */
  static final Duration FIRST_ENDPOINTS = Duration.ofSeconds(10);

  private Sidecar start(Sidecar sidecar, SidecarConfig loaded) throws CommandExit {
    try {
      return sidecar.start(loaded);
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw CommandExit.invalid(
          err, (config != null ? config : configService) + ": " + e.getMessage());
    }
  }

  /**
   * Reloads on a change of the config file (unless {@code --no-watch}) and on SIGHUP, or follows
   * the config service; returns the watcher, null when the file is not watched.
   */
  private @Nullable ConfigFileWatcher followChanges(
      Sidecar sidecar, @Nullable ConfigServiceClient service) throws IOException {
    ConfigFileWatcher watcher = null;
    if (config != null) {
      sidecar.configSource(Sidecar.fileSource(config));
      if (watch) {
        watcher = new ConfigFileWatcher(config, () -> reloadFromSource(sidecar));
      }
      Signals.onHangUp(() -> reloadFromSource(sidecar));
    }
    if (service != null) {
      service.start(
          sidecar,
          () -> {
            var running = sidecar.generation();
            return running == null ? "" : running.revision();
          });
    }
    return watcher;
  }

  /** Reloads from the config file; the outcome is printed ({@link #log}), nothing waits for it. */
  private void reloadFromSource(Sidecar sidecar) {
    CompletableFuture<Void> unused = sidecar.reloadFromSource().thenAccept(this::log);
  }

  private void announce(Sidecar sidecar, SidecarConfig loaded) {
    String notRelaunched = SidecarLauncher.notRelaunched();
    out.println(
        "sluice-sidecar: "
            + SidecarJvm.describe(notRelaunched == null ? "run in-process" : notRelaunched));
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
  }

  private void log(SidecarReport report) {
    if (report.outcome() == SidecarReport.Outcome.Applied) {
      out.println("sluice-sidecar: reloaded revision " + report.revision());
    } else {
      err.println(
          "sluice-sidecar: "
              + (config != null ? config : configService)
              + ": rejected: "
              + String.join("; ", report.problems()));
    }
    out.flush();
    err.flush();
  }

  /** Runs the command with the given streams; returns the exit code (tests call this). */
  static int run(PrintWriter out, PrintWriter err, String... args) {
    SidecarMain main = new SidecarMain(out, err);
    CommandLine commandLine = new CommandLine(main).setOut(out).setErr(err);
    commandLine.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("sluice-sidecar: " + ex.getMessage());
          ex.getCommandLine().usage(err);
          return EXIT_INVALID;
        });
    return commandLine.execute(args);
  }

  /**
   * I/O threads when {@code --threads} is not given: the cores the JVM may use (its CPU limit, when
   * it has one), never more than 2. One event loop saturates a core; past two, a sidecar beside one
   * application container costs more memory (a buffer cache and an arena per thread) than the pod's
   * traffic needs. The injector passes the pod's CPU request.
   */
  static int defaultThreads(int cores) {
    return Math.max(1, Math.min(2, cores));
  }

  /** False for the invocations that do not serve (help, version, --check, --training-run). */
  static boolean serves(String... args) {
    for (String arg : args) {
      if (List.of("--check", "-h", "--help", "-V", "--version", "--training-run").contains(arg)) {
        return false;
      }
    }
    return true;
  }

  public static void main(String[] args) {
    if (serves(args)) {
      Integer relaunched = SidecarLauncher.relaunchIfUnsized(args);
      if (relaunched != null) {
        System.exit(relaunched);
        return;
      }
    }
    NettyProductionDefaults.apply(System.getProperties());
    // checkstyle:terminal-output-begin
    PrintWriter out = new PrintWriter(System.out, true, Charset.defaultCharset());
    PrintWriter err = new PrintWriter(System.err, true, Charset.defaultCharset());
    // checkstyle:terminal-output-end
    System.exit(run(out, err, args));
  }
}
