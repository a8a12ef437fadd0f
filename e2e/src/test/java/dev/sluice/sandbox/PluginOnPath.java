package dev.sluice.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code kubectl sluice} installed as cli/README.md installs it — the launcher {@code
 * cli/src/main/dist/kubectl-sluice} and the {@code cli/target/kubectl-sluice.jar} the reactor
 * built, side by side in a directory on the PATH — and command lines run as a user runs them,
 * through {@code sh}. kubectl's part, its plugin dispatch (it runs {@code kubectl-NAME} from the
 * PATH with the arguments after {@code NAME}), is a two-line {@code kubectl} script beside them:
 * the machines the suite runs on have no kubectl. The JVM the launcher finds is this one's.
 */
final class PluginOnPath {
  static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath();
  static final Path LAUNCHER = ROOT.resolve("cli/src/main/dist/kubectl-sluice");
  static final Path JAR = ROOT.resolve("cli/target/kubectl-sluice.jar");

  /** The longest a command may take: it answers or fails well before (no retries, timeouts). */
  private static final long DEADLINE_SECONDS = 120;

  /** What a command line did: its exit code and what it wrote to stdout and stderr. */
  record Run(String command, int exitCode, String out, String err) {
    /** The command and everything it printed, for assertion messages. */
    String said() {
      return "$ " + command + "\n" + out + (err.isEmpty() ? "" : "[stderr]\n" + err);
    }
  }

  private final Path bin;
  private final Path runs;
  private final AtomicInteger count = new AtomicInteger();

  private PluginOnPath(Path bin, Path runs) {
    this.bin = bin;
    this.runs = runs;
  }

  /** Installs the plugin (and the dispatching kubectl) into {@code dir}/bin. */
  static PluginOnPath install(Path dir) throws IOException {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(
          JAR
              + " does not exist (expected: the plugin's jar, built by the reactor before e2e:"
              + " ./mvnw -B verify -pl e2e -am)");
    }
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.copy(LAUNCHER, bin.resolve("kubectl-sluice"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(JAR, bin.resolve("kubectl-sluice.jar"), StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(
        bin.resolve("kubectl"),
        """
        #!/bin/sh
        # kubectl's plugin dispatch: `kubectl NAME ARGS...` runs kubectl-NAME from the PATH.
        name=$1; shift
        exec "kubectl-$name" "$@"
        """);
    for (String executable : new String[] {"kubectl-sluice", "kubectl"}) {
      Files.setPosixFilePermissions(
          bin.resolve(executable), PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return new PluginOnPath(bin, Files.createDirectories(dir.resolve("runs")));
  }

  /** Runs {@code commandLine} with {@code sh -c}, the plugin first on the PATH. */
  Run run(String commandLine) throws IOException, InterruptedException {
    int n = count.incrementAndGet();
    Path out = runs.resolve(n + ".out");
    Path err = runs.resolve(n + ".err");
    ProcessBuilder builder =
        new ProcessBuilder("sh", "-c", commandLine)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    Map<String, String> env = builder.environment();
    env.remove("KUBECONFIG"); // only the --kubeconfig the command names
    env.remove("KUBECTL_SLUICE_JAVA_OPTS");
    env.put(
        "PATH",
        bin
            + ":"
            + Path.of(System.getProperty("java.home"), "bin")
            + ":"
            + env.getOrDefault("PATH", "/usr/bin:/bin"));
    Process process = builder.start();
    if (!process.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError(
          "`" + commandLine + "` did not end within " + DEADLINE_SECONDS + " s");
    }
    return new Run(
        commandLine,
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
