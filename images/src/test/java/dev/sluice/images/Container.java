package dev.sluice.images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A bundle run by {@code runc} in the foreground; closing kills and deletes it. */
final class Container implements AutoCloseable {
  private static final AtomicInteger IDS = new AtomicInteger();

  private final String id;
  private final Process process;
  private final Path log;

  private Container(String id, Process process, Path log) {
    this.id = id;
    this.process = process;
    this.log = log;
  }

  static Container start(OciBundle bundle, Path log) throws IOException {
    String id = "sluice-images-it-" + ProcessHandle.current().pid() + "-" + IDS.incrementAndGet();
    Process process =
        new ProcessBuilder("runc", "run", "--bundle", bundle.directory.toString(), id)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    return new Container(id, process, log);
  }

  /** Waits for the container to exit by itself; its exit code. */
  int awaitExit(Duration timeout) throws IOException, InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(
          "container " + id + " still running after " + timeout + "; output:\n" + output());
    }
    return process.exitValue();
  }

  boolean running() {
    return process.isAlive();
  }

  String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    try {
      if (process.isAlive()) {
        new ProcessBuilder("runc", "kill", id, "KILL").start().waitFor(10, TimeUnit.SECONDS);
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
      new ProcessBuilder("runc", "delete", "--force", id).start().waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted stopping container " + id, e);
    }
  }
}
