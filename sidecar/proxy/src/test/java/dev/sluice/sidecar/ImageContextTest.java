package dev.sluice.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The images' build context: .dockerignore leaves out everything but what the Dockerfiles COPY (a
 * docker build would otherwise send the whole tree, target directories and all), and nothing a
 * Dockerfile copies is left out.
 */
class ImageContextTest {
  private static final Path ROOT =
      Path.of(System.getProperty("sluice.root", "../..")).toAbsolutePath();

  @Test
  void theContextIsExactlyWhatTheDockerfilesCopy() throws IOException {
    List<String> ignore =
        Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    assertThat(ignore).first().as("everything is left out first").isEqualTo("**");
    Set<String> included = new TreeSet<>();
    for (String line : ignore.subList(1, ignore.size())) {
      assertThat(line).as("after **, only exceptions").startsWith("!");
      included.add(line.substring(1));
    }
    Set<String> copied = new TreeSet<>();
    List<Path> dockerfiles;
    try (Stream<Path> all = Files.walk(ROOT)) {
      dockerfiles =
          all.filter(p -> p.getFileName().toString().equals("Dockerfile"))
              .filter(
                  p ->
                      !ROOT.relativize(p)
                          .toString()
                          .matches("(.*/)?(target|work|\\.git|node_modules)/.*"))
              .toList();
    }
    assertThat(dockerfiles).as("every Dockerfile of the repository").hasSizeGreaterThanOrEqualTo(2);
    for (Path dockerfile : dockerfiles) {
      try (Stream<String> lines = Files.lines(dockerfile)) {
        lines
            .filter(l -> l.startsWith("COPY "))
            .forEach(
                l -> {
                  String[] words = l.trim().split("\\s+");
                  copied.add(words[words.length - 2]);
                });
      }
    }
    assertThat(included).isEqualTo(copied);
  }
}
