package dev.sluice.images;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a program of this machine and returns its output; a failure names the command. */
final class Command {
  private Command() {}

  /** The output (stdout and stderr together) of {@code command}, which must exit 0. */
  static String run(List<String> command, long timeoutSeconds) throws IOException {
    Result result = tryRun(command, timeoutSeconds);
    if (result.exitCode() != 0) {
      throw new IOException(
          "`"
              + String.join(" ", command)
              + "` exited "
              + result.exitCode()
              + ":\n"
              + result.output().strip());
    }
    return result.output();
  }

  /** Runs {@code command}; a program that cannot start is exit code 127 with the reason. */
  static Result tryRun(List<String> command, long timeoutSeconds) throws IOException {
    Path output = Files.createTempFile("sluice-images-", ".out");
    try {
      Process process;
      try {
        process =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
      } catch (IOException e) {
        return new Result(127, e.getMessage() == null ? e.toString() : e.getMessage());
      }
      try {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IOException(
              "`" + String.join(" ", command) + "` took longer than " + timeoutSeconds + " s");
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted running " + command.get(0), e);
      }
      return new Result(
          process.exitValue(), new String(Files.readAllBytes(output), StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(output);
    }
  }

  record Result(int exitCode, String output) {}
}
