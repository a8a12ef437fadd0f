package dev.sluice.sidecar.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The contract's golden fixtures (src/test/resources/contract, also shipped in this module's
 * test-jar for the operator). {@code -Dgolden.update=true} rewrites the expected files.
 */
final class Fixtures {
  static final Path ROOT = Path.of(System.getProperty("sluice.root", "../..")).toAbsolutePath();
  static final Path CONTRACT = Path.of("src/test/resources/contract").toAbsolutePath();
  static final boolean UPDATE = Boolean.getBoolean("golden.update");

  static Stream<Path> inputs(String folder) {
    try (Stream<Path> files = Files.list(CONTRACT.resolve(folder))) {
      return files
          .filter(p -> p.toString().endsWith(".yaml") && !p.toString().endsWith(".golden.yaml"))
          .sorted()
          .toList()
          .stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Compares {@code actual} with the golden file, or writes it under -Dgolden.update=true. */
  static String golden(Path golden, String actual) throws IOException {
    if (UPDATE) {
      Files.writeString(golden, actual);
    }
    return Files.exists(golden) ? Files.readString(golden) : "<missing " + golden + ">";
  }

  static String baseName(Path input) {
    String name = input.getFileName().toString();
    return name.substring(0, name.length() - ".yaml".length());
  }

  private Fixtures() {}
}
