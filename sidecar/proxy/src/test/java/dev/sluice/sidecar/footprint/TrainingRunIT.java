package dev.sluice.sidecar.footprint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.testing.StandaloneJar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's class archive, built as the image builds it: the jar's training run with {@code
 * -XX:ArchiveClassesAtExit} and the sidecar's JVM options, then used by the next JVM (which must
 * map it: {@code -Xshare:on} refuses to start otherwise) for nearly every Netty and Sluice class a
 * serving sidecar loads.
 */
class TrainingRunIT {
  private static final Path OPTIONS =
      Path.of(
          System.getProperty("sluice.root", "."),
          "sidecar/proxy/src/main/resources/dev/sluice/sidecar/jvm.options");

  @TempDir Path dir;

  @Test
  void theTrainingRunLeavesAnArchiveTheNextSidecarMapsItsClassesFrom() throws Exception {
    Path archive = dir.resolve("sluice-sidecar.jsa");
    Result training = java(List.of("-XX:ArchiveClassesAtExit=" + archive), "--training-run");
    assertThat(training.exit).as(training.output).isZero();
    assertThat(training.output).contains("training run done");
    assertThat(archive).exists();
    assertThat(Files.size(archive)).isGreaterThan(1 << 20);

    Result used =
        java(
            List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-Xlog:class+load=info"),
            "--training-run");
    assertThat(used.exit).as(used.output).isZero();
    int shared = 0;
    List<String> notShared = new ArrayList<>();
    Matcher load =
        Pattern.compile("\\[class,load\\s*] ((?:io\\.netty|dev\\.sluice)\\S*) source: (.*)")
            .matcher(used.output);
    while (load.find()) {
      if (load.group(2).contains("shared objects file")) {
        shared++;
      } else {
        notShared.add(load.group(1) + " from " + load.group(2));
      }
    }
    assertThat(shared).as("Netty and Sluice classes from the archive").isGreaterThan(1000);
    assertThat(notShared.size())
        .as("classes parsed again although the archive has them: %s", notShared)
        .isLessThan(shared / 20);
  }

  private record Result(int exit, String output) {}

  private Result java(List<String> options, String... arguments)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx64m");
    command.add("@" + OPTIONS);
    command.addAll(options);
    command.add("-jar");
    command.add(StandaloneJar.JAR.toString());
    command.addAll(List.of(arguments));
    Path output = dir.resolve("output-" + System.nanoTime() + ".txt");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(
          "no exit after 120 s: " + Files.readString(output, StandardCharsets.UTF_8));
    }
    return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
  }
}
