package dev.sluice.sidecar.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The shaded sidecar jar run as users run it: {@code java [options] -jar sluice-sidecar.jar}. */
public final class StandaloneJar {
  public static final Path JAR =
      Path.of(System.getProperty("sluice.root", "."), "sidecar/proxy/target/sluice-sidecar.jar");

  /** Variables through which a JVM would get options the test did not give it. */
  private static final List<String> JVM_VARIABLES =
      List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "SLUICE_JVM_DEFAULTS");

  private StandaloneJar() {}

  /**
   * Starts the jar with {@code jvmOptions} before {@code -jar}, {@code environment} added, and
   * SIGHUP at {@code disposition} ({@code SIG_DFL} or {@code SIG_IGN}): set by a python3 exec
   * wrapper, since a child inherits an ignored SIGHUP from whatever ran the tests (nohup does that)
   * and nothing in Java can reset it. Output and errors come as one stream.
   */
  public static Process start(
      List<String> jvmOptions,
      Map<String, String> environment,
      String disposition,
      String... arguments)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add("python3");
    command.add("-c");
    command.add(
        "import os, signal, sys; signal.signal(signal.SIGHUP, signal."
            + disposition
            + "); os.execv(sys.argv[1], sys.argv[1:])");
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(List.of(arguments));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    JVM_VARIABLES.forEach(builder.environment()::remove);
    builder.environment().putAll(environment);
    return builder.start();
  }

  /** The admin port, read from the output's startup line ({@link #startup}). */
  public static int adminPort(Process sidecar, List<String> before) throws Exception {
    return adminPort(startup(sidecar, before));
  }

  /** The admin port in a startup line. */
  public static int adminPort(String startup) {
    Matcher admin = Pattern.compile("admin http://[^:]+:(\\d+)/ready").matcher(startup);
    if (!admin.find()) {
      throw new IllegalStateException("no admin address in the startup line");
    }
    return Integer.parseInt(admin.group(1));
  }

  /** The port of the listener named {@code name} in a startup line. */
  public static int listenerPort(String startup, String name) {
    Matcher listener = Pattern.compile(name + "=[^,}]*:(\\d+)").matcher(startup);
    if (!listener.find()) {
      throw new IllegalStateException("no listener " + name + " in " + startup);
    }
    return Integer.parseInt(listener.group(1));
  }

  /**
   * Reads the output up to the startup line ({@code ... listening on {...}, admin http://...}) and
   * returns it, keeping the lines before it in {@code before}; the rest of the output is drained
   * (and dropped) so the process never blocks on a full pipe.
   */
  public static String startup(Process sidecar, List<String> before) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(sidecar.getInputStream(), StandardCharsets.UTF_8));
    Pattern admin = Pattern.compile("admin http://[^:]+:(\\d+)/ready");
    CompletableFuture<String> found =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                String line;
                while ((line = out.readLine()) != null) {
                  Matcher m = admin.matcher(line);
                  if (!m.find()) {
                    before.add(line);
                  } else {
                    CompletableFuture.runAsync(
                        () -> {
                          try {
                            while (out.readLine() != null) {
                              // discard
                            }
                          } catch (IOException ignored) {
                            // process ended
                          }
                        });
                    return line;
                  }
                }
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
              throw new IllegalStateException("the sidecar exited before listening: " + before);
            });
    return found.get(30, TimeUnit.SECONDS);
  }

  /** Sends {@code signal} (e.g. {@code HUP}) to {@code pid} and waits for kill to return. */
  public static void signal(String signal, long pid) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor();
  }

  /** Ends {@code process} and what it started, waiting a little for them. */
  public static void stop(Process process) throws InterruptedException {
    List<ProcessHandle> children = process.toHandle().descendants().toList();
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
    children.forEach(ProcessHandle::destroy);
    for (ProcessHandle child : children) {
      child.onExit().completeOnTimeout(child, 10, TimeUnit.SECONDS).join();
    }
  }
}
