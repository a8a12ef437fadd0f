package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files of the plugin's output under src/test/resources/golden: {@code -Dgolden.update=true}
 * rewrites them; without it a missing one fails.
 */
final class Golden {
  static final Path DIR = Path.of("src/test/resources/golden");

  private Golden() {}

  static void assertGolden(String name, String actual) throws IOException {
    Path expected = DIR.resolve(name);
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(DIR);
      Files.writeString(expected, actual);
    }
    assertThat(expected)
        .as("golden file (create it with -Dgolden.update=true, then review it)")
        .exists();
    assertThat(actual).isEqualTo(Files.readString(expected));
  }
}
