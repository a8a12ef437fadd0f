package dev.sluice.cli.status;

import dev.sluice.cli.CliFailure;
import dev.sluice.cli.ClusterOptions;
import dev.sluice.cli.OutputFormat;
import dev.sluice.cli.Session;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kubectl sluice status [ROUTE]}: routes, their pods' revisions and what to do next. */
@Command(
    name = "status",
    description = {
      "Per ProxyRoute: its conditions and rollout, then per selected pod its assigned, applied and",
      "last good revision, its last report (the sluice.dev/ConfigApplied condition, with drain",
      "figures), agent health, and whether it is behind or failed, with the next command to run."
    })
public final class StatusCommand implements Callable<Integer> {
  @Mixin ClusterOptions cluster = new ClusterOptions();

  @Option(
      names = {"-A", "--all-namespaces"},
      description = "Every namespace's ProxyRoutes.")
  boolean allNamespaces;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "table (default), json or yaml.")
  OutputFormat output = OutputFormat.table;

  @Parameters(arity = "0..1", paramLabel = "ROUTE", description = "One ProxyRoute (default: all).")
  @Nullable String route;

  private final Session session;

  public StatusCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() {
    if (allNamespaces && route != null) {
      throw new CliFailure(
          CliFailure.FAILED,
          "ROUTE: "
              + route
              + " with --all-namespaces (expected: a route name with -n, or -A alone)");
    }
    try (KubernetesClient client = cluster.connect()) {
      String namespace = allNamespaces ? null : cluster.namespace(client);
      List<RouteReport> routes = new RouteReader(client).read(namespace, route);
      if (output == OutputFormat.table) {
        StatusTable.print(routes, session.clock().instant(), session.out());
      } else {
        output.write(routes, session.out());
      }
      return 0;
    }
  }
}
