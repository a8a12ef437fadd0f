package dev.sluice.operator.check;

import dev.sluice.operator.certs.Certificates;
import dev.sluice.operator.cli.OperatorPorts;
import dev.sluice.sidecar.config.Durations;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice-operator check-install}: checks a running install from inside the cluster, as the
 * chart's {@code helm test} hook does — the operator's Service answers readiness, and its webhook
 * and config service serve TLS for the Service's name with a certificate the install's CA signed
 * (the CA the API server is given for the webhook, and the sidecars for the config service). One
 * line per check; exit 0 when all passed, 1 when one failed, 2 for a bad flag.
 */
@Command(
    name = "check-install",
    mixinStandardHelpOptions = true,
    description =
        "Checks a running install: /readyz answers 200, and the webhook and config service serve"
            + " TLS for <service>.<namespace>.svc signed by the CA in --ca-file.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:every check passed", "1:a check failed", "2:a flag's value is invalid"})
public final class InstallCheck implements Callable<Integer> {
  @Option(
      names = "--service",
      paramLabel = "NAME",
      description = "The operator's Service. Default: ${DEFAULT-VALUE}.")
  String service = "sluice-operator";

  @Option(
      names = "--namespace",
      paramLabel = "NS",
      description = "The operator's namespace. Default: $POD_NAMESPACE, else sluice-system.")
  String namespace = System.getenv().getOrDefault("POD_NAMESPACE", "sluice-system");

  @SuppressWarnings("NullAway.Init") // required: picocli sets it before call()
  @Option(
      names = "--ca-file",
      paramLabel = "FILE",
      required = true,
      description = "PEM bundle of the CA the install configured (the TLS Secret's ca.crt).")
  Path caFile;

  @Mixin OperatorPorts ports = new OperatorPorts();

  @Option(
      names = "--connect-to",
      paramLabel = "ADDRESS",
      description =
          "Connect here instead of to <service>.<namespace>.svc; TLS still checks that name."
              + " Default: the name.")
  @Nullable String connectTo;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      description = "How long readiness may take. Default: ${DEFAULT-VALUE}.")
  String timeout = "60s";

  @SuppressWarnings("NullAway.Init") // injected by picocli before call()
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Duration within;
    try {
      within = Durations.parse(timeout);
    } catch (IllegalArgumentException e) {
      err.println("check-install: --timeout " + timeout + " (expected: a duration like 60s)");
      return 2;
    }
    String caPem;
    try {
      caPem = Files.readString(caFile);
      if (Certificates.bundle(caPem).isEmpty()) {
        throw new IllegalArgumentException("no certificate in it");
      }
    } catch (IOException | IllegalArgumentException e) {
      err.println(
          "check-install: --ca-file "
              + caFile
              + ": "
              + e.getMessage()
              + " (expected: a readable PEM bundle of CA certificates)");
      return 2;
    }
    List<ProbeResult> results = run(caPem, within);
    results.forEach(r -> out.println(r.line()));
    out.flush();
    return results.stream().allMatch(ProbeResult::ok) ? 0 : 1;
  }

  /** Readiness first (the listeners are up once it passes), then each TLS listener. */
  private List<ProbeResult> run(String caPem, Duration within) throws InterruptedException {
    String host = service + "." + namespace + ".svc";
    String address = connectTo != null ? connectTo : host;
    List<ProbeResult> results = new ArrayList<>();
    URI readyz = URI.create("http://" + bracketed(address) + ":" + ports.admin + "/readyz");
    results.add(new ReadinessProbe(readyz, within).run());
    String source = caFile.toString();
    results.add(new TlsProbe("webhook", host, ports.webhook, address, caPem, source).run());
    results.add(
        new TlsProbe("config service", host, ports.configService, address, caPem, source).run());
    return results;
  }

  private static String bracketed(String address) {
    return address.contains(":") ? "[" + address + "]" : address;
  }
}
