package dev.sluice.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostFilesTest {
  @TempDir Path temp;

  /** A merged-/usr layout in miniature: lib → usr/lib, libz.so.1 → libz.so.1.2.13. */
  @Test
  void everyLinkOnTheWayIsRecreatedAndTheFileItEndsAtCopied() throws IOException {
    Path host = Files.createDirectories(temp.resolve("host"));
    Path usrLib = Files.createDirectories(host.resolve("usr/lib"));
    Files.writeString(usrLib.resolve("libz.so.1.2.13"), "zlib");
    Files.createSymbolicLink(usrLib.resolve("libz.so.1"), Path.of("libz.so.1.2.13"));
    Files.createSymbolicLink(host.resolve("lib"), Path.of("usr/lib"));
    Path root = Files.createDirectories(temp.resolve("root"));

    HostFiles.copy(host.resolve("lib/libz.so.1"), root);

    Path inRoot = HostFiles.inRoot(root, host);
    assertThat(Files.readSymbolicLink(inRoot.resolve("lib"))).isEqualTo(Path.of("usr/lib"));
    assertThat(Files.readSymbolicLink(inRoot.resolve("usr/lib/libz.so.1")))
        .isEqualTo(Path.of("libz.so.1.2.13"));
    assertThat(Files.isSymbolicLink(inRoot.resolve("usr/lib/libz.so.1.2.13"))).isFalse();
    assertThat(inRoot.resolve("lib/libz.so.1")).hasContent("zlib");
    // copying again (another library in the same directory) keeps what is there
    HostFiles.copy(host.resolve("lib/libz.so.1"), root);
    assertThat(Files.exists(inRoot.resolve("lib"), LinkOption.NOFOLLOW_LINKS)).isTrue();
  }

  @Test
  void aLinkLoopOrADirectoryIsAnErrorNamingThePath() throws IOException {
    Path host = Files.createDirectories(temp.resolve("host"));
    Files.createSymbolicLink(host.resolve("a"), Path.of("b"));
    Files.createSymbolicLink(host.resolve("b"), Path.of("a"));
    Path root = Files.createDirectories(temp.resolve("root"));

    assertThatThrownBy(() -> HostFiles.copy(host.resolve("a"), root))
        .hasMessageContaining("too many symbolic links");
    assertThatThrownBy(() -> HostFiles.copy(host, root)).hasMessageContaining("is a directory");
    assertThatThrownBy(() -> HostFiles.copy(Path.of("relative"), root))
        .hasMessageContaining("must be absolute");
  }
}
