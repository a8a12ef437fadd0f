package dev.sluice.cli.check;

import dev.sluice.cli.ApiCalls;
import dev.sluice.cli.ClusterOptions;
import dev.sluice.cli.OutputFormat;
import dev.sluice.cli.Session;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kubectl sluice check}: preflight, one line per check and a verdict; exit 0 when none
 * failed, 1 otherwise. A check the API server refuses to answer fails on its own line; an API
 * server that cannot be reached ends the command (exit 2).
 */
@Command(
    name = "check",
    description = {
      "Preflight: CRDs (and Gateway API's, optional), the injection webhook (Service, endpoints, caBundle), the operator's",
      "serving certificate, its RBAC, namespaces labelled for injection and native sidecars.",
      "Exit code 0 when every check passed (warnings allowed), 1 when one failed."
    })
public final class CheckCommand implements Callable<Integer> {
  static final List<Check> CHECKS =
      List.of(
          new CrdCheck(),
          new GatewayApiCheck(),
          new WebhookCheck(),
          new ServingCertificateCheck(),
          new OperatorAccessCheck(),
          new InjectionNamespacesCheck(),
          new NativeSidecarCheck());

  @Mixin ClusterOptions cluster = new ClusterOptions();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "table (default), json or yaml.")
  OutputFormat output = OutputFormat.table;

  @Option(
      names = "--operator-namespace",
      paramLabel = "NS",
      description = "Where the operator runs (default: ${DEFAULT-VALUE}).")
  String operatorNamespace = "sluice-system";

  @Option(
      names = "--service-account",
      paramLabel = "NAME",
      description = "The operator's ServiceAccount (default: ${DEFAULT-VALUE}).")
  String serviceAccount = "sluice-operator";

  @Option(
      names = "--webhook",
      paramLabel = "NAME",
      description = "The MutatingWebhookConfiguration (default: ${DEFAULT-VALUE}).")
  String webhook = "sluice-sidecar-injector";

  @Option(
      names = "--tls-secret",
      paramLabel = "NAME",
      description = "The operator's TLS Secret (default: ${DEFAULT-VALUE}).")
  String tlsSecret = "sluice-operator-tls";

  private final Session session;

  public CheckCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() {
    Installation install = new Installation(operatorNamespace, serviceAccount, webhook, tlsSecret);
    Instant now = session.clock().instant();
    List<CheckResult> results = new ArrayList<>();
    try (KubernetesClient client = cluster.connect()) {
      for (Check check : CHECKS) {
        results.addAll(run(check, client, install, now));
      }
    }
    CheckReport report = CheckReport.of(results);
    if (output == OutputFormat.table) {
      print(report, session.out());
    } else {
      output.write(report, session.out());
    }
    return report.passed() ? 0 : 1;
  }

  private static List<CheckResult> run(
      Check check, KubernetesClient client, Installation install, Instant now) {
    try {
      return check.run(client, install, now);
    } catch (KubernetesClientException e) {
      // unreachable ends the command; a refusal fails this check only
      var failure = ApiCalls.failure(client, check.getClass().getSimpleName(), e);
      if (e.getCode() <= 0) {
        throw failure;
      }
      return List.of(
          CheckResult.fail(
              check.getClass().getSimpleName().replace("Check", ""),
              String.valueOf(failure.getMessage()),
              "kubectl auth can-i --list"));
    }
  }

  private static void print(CheckReport report, PrintWriter out) {
    int width = report.checks().stream().mapToInt(c -> c.check().length()).max().orElse(0);
    for (CheckResult c : report.checks()) {
      out.println(
          c.outcome()
              + "  "
              + c.check()
              + " ".repeat(width - c.check().length() + 2)
              + c.message());
      if (c.fix() != null) {
        out.println("      fix: " + c.fix());
      }
    }
    out.println(
        report.passed()
            ? "Verdict: pass ("
                + report.checks().size()
                + " checks, "
                + report.warnings()
                + " warning"
                + (report.warnings() == 1 ? "" : "s")
                + ")"
            : "Verdict: fail ("
                + report.failures()
                + " failed, "
                + report.warnings()
                + " warning"
                + (report.warnings() == 1 ? "" : "s")
                + ")");
  }
}
