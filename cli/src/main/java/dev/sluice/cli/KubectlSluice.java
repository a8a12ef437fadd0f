package dev.sluice.cli;

import dev.sluice.cli.check.CheckCommand;
import dev.sluice.cli.config.ConfigCommand;
import dev.sluice.cli.status.StatusCommand;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.time.Clock;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code kubectl sluice}: the kubectl plugin (an executable named {@code kubectl-sluice} on the
 * PATH). Everything it shows is read from the Kubernetes API: what the operator records on
 * ProxyRoutes, pods and Secrets. Exit codes: 0 done, 1 a check failed or what was named does not
 * exist, 2 the API server cannot be reached or a flag is invalid.
 */
@Command(
    name = "kubectl sluice",
    mixinStandardHelpOptions = true,
    versionProvider = KubectlSluice.Version.class,
    description = "Sluice from kubectl: rollout status, the config a pod runs, preflight checks.",
    subcommands = {StatusCommand.class, ConfigCommand.class, CheckCommand.class})
public final class KubectlSluice implements Runnable {
  private final Session session;

  KubectlSluice(Session session) {
    this.session = session;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(session.out());
  }

  public static void main(String[] args) {
    // checkstyle:terminal-output-begin
    PrintWriter out = new PrintWriter(System.out, true, Charset.defaultCharset());
    PrintWriter err = new PrintWriter(System.err, true, Charset.defaultCharset());
    // checkstyle:terminal-output-end
    int code = run(new Session(out, err, Clock.systemUTC()), args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs one command line in {@code session}; returns the exit code. */
  public static int run(Session session, String... args) {
    CommandLine line = new CommandLine(KubectlSluice.class, new Factory(session));
    line.setOut(session.out());
    line.setErr(session.err());
    line.setCaseInsensitiveEnumValuesAllowed(true);
    line.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof CliFailure failure) {
            session.err().println("kubectl sluice: " + failure.getMessage());
            return failure.exitCode();
          }
          if (e instanceof KubernetesClientException k) {
            CliFailure failure = ApiCalls.failure((String) null, "from the cluster", k);
            session.err().println("kubectl sluice: " + failure.getMessage());
            return failure.exitCode();
          }
          throw e;
        });
    int code = line.execute(args);
    session.out().flush();
    session.err().flush();
    return code;
  }

  /** Builds the commands with the session they print to. */
  private record Factory(Session session) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      if (type == KubectlSluice.class) {
        return type.cast(new KubectlSluice(session));
      }
      if (type == StatusCommand.class) {
        return type.cast(new StatusCommand(session));
      }
      if (type == ConfigCommand.class) {
        return type.cast(new ConfigCommand(session));
      }
      if (type == CheckCommand.class) {
        return type.cast(new CheckCommand(session));
      }
      return CommandLine.defaultFactory().create(type);
    }
  }

  /** The version the jar was built as. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = KubectlSluice.class.getPackage().getImplementationVersion();
      return new String[] {"kubectl-sluice " + (v == null ? "(development build)" : v)};
    }
  }
}
