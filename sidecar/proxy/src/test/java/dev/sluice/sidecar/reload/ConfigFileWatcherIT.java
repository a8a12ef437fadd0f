package dev.sluice.sidecar.reload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant: a change of the config file's content triggers exactly one reload, whether written in
 * place or swapped in the way Kubernetes updates a mounted ConfigMap (a {@code ..data} symlink
 * replaced atomically); rewriting the same content triggers none.
 */
class ConfigFileWatcherIT {
  @TempDir Path dir;

  @Test
  void aConfigMapStyleSymlinkSwapReloadsOnce() throws Exception {
    Path first = Files.createDirectory(dir.resolve("..2026_11_21_a"));
    Files.writeString(first.resolve("sidecar.yaml"), "version: 1 # a\n");
    Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
    Path file = dir.resolve("sidecar.yaml");
    Files.createSymbolicLink(file, Path.of("..data", "sidecar.yaml"));
    AtomicInteger reloads = new AtomicInteger();
    try (ConfigFileWatcher watcher = new ConfigFileWatcher(file, reloads::incrementAndGet)) {
      swap("..2026_11_21_b", "version: 1 # b\n", first);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> reloads.get() == 1);
      assertThat(Files.readString(file)).isEqualTo("version: 1 # b\n");

      // the same bytes swapped in again, then a real change: one more reload, not two
      swap("..2026_11_21_c", "version: 1 # b\n", dir.resolve("..2026_11_21_b"));
      swap("..2026_11_21_d", "version: 1 # d\n", dir.resolve("..2026_11_21_c"));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> reloads.get() == 2);
      assertThat(Files.readString(file)).isEqualTo("version: 1 # d\n");
    }
  }

  /** What the kubelet does: a new data directory, a staged symlink renamed over ..data. */
  private void swap(String name, String content, Path previous) throws Exception {
    Path next = Files.createDirectory(dir.resolve(name));
    Files.writeString(next.resolve("sidecar.yaml"), content);
    Path staged = Files.createSymbolicLink(dir.resolve("..data_tmp"), next.getFileName());
    Files.move(staged, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
    Files.delete(previous.resolve("sidecar.yaml"));
    Files.delete(previous);
  }

  @Test
  void aFileWrittenBesideTheConfigCostsNoReadOfIt() throws Exception {
    Path file = dir.resolve("sidecar.yaml");
    Files.writeString(file, "version: 1\n");
    AtomicInteger reloads = new AtomicInteger();
    try (ConfigFileWatcher watcher = new ConfigFileWatcher(file, reloads::incrementAndGet)) {
      // An access log written next to the config: a write per request.
      Path log = dir.resolve("access.log");
      for (int i = 0; i < 200; i++) {
        Files.writeString(
            log,
            "line " + i + "\n",
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
      }
      Awaitility.await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(5))
          .until(() -> watcher.checks() == 0);
      Files.writeString(file, "version: 1\nrevision: two\n");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> reloads.get() == 1);
      assertThat(watcher.checks()).isPositive();
    }
  }

  @Test
  void anInPlaceEditReloadsAndAnUnrelatedFileDoesNot() throws Exception {
    Path file = dir.resolve("sidecar.yaml");
    Files.writeString(file, "version: 1\n");
    AtomicInteger reloads = new AtomicInteger();
    try (ConfigFileWatcher watcher = new ConfigFileWatcher(file, reloads::incrementAndGet)) {
      Files.writeString(dir.resolve("notes.txt"), "unrelated\n");
      Files.writeString(file, "version: 1\nrevision: two\n");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> reloads.get() == 1);
      Files.writeString(dir.resolve("notes.txt"), "still unrelated\n");
      Files.writeString(file, "version: 1\nrevision: three\n");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> reloads.get() == 2);
    }
  }
}
