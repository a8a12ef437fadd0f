package dev.sluice.sidecar.reload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** What the sidecar caches for a restart, written atomically: never a torn file. */
final class CacheFile {
  static void write(Path file, String text) throws IOException {
    Path staged = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(staged, text);
    Files.move(staged, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private CacheFile() {}
}
