package dev.sluice.sidecar;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Gives {@code java -jar sluice-sidecar.jar}, started without a heap option, the sidecar's JVM: it
 * runs the same {@code java} with the same arguments again, the sidecar's flags first ({@link
 * SidecarJvm#flags}), and stays as a thin parent that passes signals on (SIGTERM and SIGINT as
 * SIGTERM, SIGHUP as SIGHUP: the sidecar drains, or reloads its config file) and exits with the
 * sidecar's exit code. Standard streams are the same. The sidecar stops by itself if this parent
 * goes away (killed with SIGKILL, say). A heap option anywhere ({@code -Xmx}, {@code
 * -XX:MaxRAMPercentage}, ... on the command line, in {@code JAVA_TOOL_OPTIONS} or {@code
 * JDK_JAVA_OPTIONS}), or {@code SLUICE_JVM_DEFAULTS=off}, keeps the JVM as started.
 */
final class SidecarLauncher {
  /** Why the sidecar runs in this JVM as started, when it does (null: not decided yet). */
  private static @Nullable String notRelaunched;

  private final Process child;
  private volatile boolean terminating;

  private SidecarLauncher(Process child) {
    this.child = child;
  }

  /**
   * Runs the sidecar in a JVM of its own when this one was started without a heap option; returns
   * its exit code, or null when the sidecar should run here (see {@link #notRelaunched()} for why).
   */
  static @Nullable Integer relaunchIfUnsized(String[] args) {
    Map<String, String> environment = System.getenv();
    if (System.getProperty(SidecarJvm.ORIGIN) != null) {
      notRelaunched = "started by the launcher";
      return null;
    }
    if (SidecarJvm.optedOut(environment)) {
      notRelaunched = SidecarJvm.OPT_OUT + "=" + environment.get(SidecarJvm.OPT_OUT);
      return null;
    }
    if (SidecarJvm.heapOption(SidecarJvm.jvmArgs(), environment) != null) {
      notRelaunched = "sized by its options";
      return null;
    }
    ProcessHandle.Info self = ProcessHandle.current().info();
    Optional<String> java = self.command();
    Optional<String[]> arguments = self.arguments();
    if (java.isEmpty() || arguments.isEmpty() || !endsWith(arguments.get(), args)) {
      // (Linux gives at most a page of it: a longer command line cannot be repeated)
      notRelaunched =
          "its command line could not be read whole, so java could not be started again";
      return null;
    }
    List<String> command = new ArrayList<>();
    command.add(java.get());
    command.addAll(
        SidecarJvm.flags(
            SidecarJvm.visibleMemory(), Runtime.version(), SidecarJvm.archiveBesideJar()));
    command.add("-D" + SidecarJvm.ORIGIN + "=launcher");
    command.add("-D" + SidecarJvm.LAUNCHER_PID + "=" + ProcessHandle.current().pid());
    command.addAll(List.of(arguments.get()));
    try {
      ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
      builder.environment().putAll(SidecarJvm.environment(environment));
      return new SidecarLauncher(builder.start()).run();
    } catch (IOException e) {
      notRelaunched = "java could not be started again (" + e.getMessage() + ")";
      return null;
    }
  }

  /** True when the command line ends with the arguments {@code main} got (it was read whole). */
  static boolean endsWith(String[] commandLine, String[] args) {
    int offset = commandLine.length - args.length;
    if (offset < 1) {
      return false;
    }
    for (int i = 0; i < args.length; i++) {
      if (!commandLine[offset + i].equals(args[i])) {
        return false;
      }
    }
    return true;
  }

  /** Why the sidecar runs in the JVM as started; null before {@link #relaunchIfUnsized}. */
  static @Nullable String notRelaunched() {
    return notRelaunched;
  }

  private int run() {
    forward("TERM", this::terminate);
    forward("INT", this::terminate);
    forward("HUP", this::hangUp);
    while (true) {
      try {
        return child.waitFor();
      } catch (InterruptedException e) {
        // keep waiting: the sidecar's exit is this process's exit
        terminate();
      }
    }
  }

  /** Handles {@code signal} here with {@code action}, instead of the JVM's default (exiting). */
  @SuppressWarnings("restriction")
  private static void forward(String signal, Runnable action) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> action.run());
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // not on this platform: the child gets what the terminal or the supervisor sends it
    }
  }

  private void terminate() {
    if (!terminating) {
      terminating = true;
      child.destroy(); // SIGTERM: the sidecar drains and exits 0
    }
  }

  /** SIGHUP (reload the config file): Java can send only SIGTERM and SIGKILL, {@code kill} can. */
  private void hangUp() {
    try {
      new ProcessBuilder("kill", "-HUP", Long.toString(child.pid())).inheritIO().start().waitFor();
    } catch (IOException e) {
      // checkstyle:terminal-output-begin
      System.err.println(
          "sluice-sidecar: SIGHUP not passed on ("
              + e.getMessage()
              + "); reload with POST /reload on the admin listener");
      // checkstyle:terminal-output-end
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
