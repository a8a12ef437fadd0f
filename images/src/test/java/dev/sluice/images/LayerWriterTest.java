package dev.sluice.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerWriterTest {
  @TempDir Path temp;

  @Test
  void theSameTreeGivesTheSameBytesWhateverTheFilesTimesAndCreationOrder() throws IOException {
    Path first = tree(temp.resolve("a"), List.of("z.txt", "a/b.txt", "m.txt"), 1_000_000);
    Path second = tree(temp.resolve("b"), List.of("m.txt", "a/b.txt", "z.txt"), 2_000_000_000);
    LayerWriter writer = new LayerWriter(Map.of());

    Layer one = writer.write("one", first, temp.resolve("blobs1"));
    Layer two = writer.write("two", second, temp.resolve("blobs2"));

    assertThat(one.digest()).isEqualTo(two.digest());
    assertThat(one.diffId()).isEqualTo(two.diffId());
    assertThat(Files.readAllBytes(one.blob())).isEqualTo(Files.readAllBytes(two.blob()));
    assertThat(one.blob().getFileName().toString()).isEqualTo(one.digest().substring(7));
    assertThat(one.size()).isEqualTo(Files.size(one.blob()));
  }

  @Test
  void digestsAreOfTheGzipAndTheTarItHolds() throws IOException {
    Path tree = tree(temp.resolve("t"), List.of("opt/x"), 5);
    Layer layer = new LayerWriter(Map.of()).write("t", tree, temp.resolve("blobs"));

    byte[] gzip = Files.readAllBytes(layer.blob());
    byte[] tar;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(layer.blob()))) {
      tar = in.readAllBytes();
    }
    assertThat(layer.digest()).isEqualTo(sha256(gzip));
    assertThat(layer.diffId()).isEqualTo(sha256(tar));
  }

  @Test
  void entriesAreSortedRootOwnedTimelessWithNormalisedModesLinksAndOverrides() throws IOException {
    Path tree = Files.createDirectories(temp.resolve("t"));
    Files.createDirectories(tree.resolve("usr/lib"));
    Files.writeString(tree.resolve("usr/lib/libz.so.1.2"), "elf");
    Files.setPosixFilePermissions(
        tree.resolve("usr/lib/libz.so.1.2"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.createSymbolicLink(tree.resolve("usr/lib/libz.so.1"), Path.of("libz.so.1.2"));
    Files.createSymbolicLink(tree.resolve("lib"), Path.of("usr/lib"));
    Files.writeString(tree.resolve("secret"), "s");
    Files.setPosixFilePermissions(
        tree.resolve("secret"), PosixFilePermissions.fromString("rw-------"));
    Files.createDirectories(tree.resolve("tmp"));
    String longName = "opt/" + "d".repeat(120) + "/" + "f".repeat(80) + ".jar";
    Files.createDirectories(tree.resolve(longName).getParent());
    Files.writeString(tree.resolve(longName), "jar");

    Layer layer = new LayerWriter(Map.of("tmp", 01777)).write("t", tree, temp.resolve("blobs"));

    List<TarArchiveEntry> entries = entries(layer);
    assertThat(entries)
        .extracting(TarArchiveEntry::getName)
        .containsExactly(
            "lib",
            "opt/",
            "opt/" + "d".repeat(120) + "/",
            longName,
            "secret",
            "tmp/",
            "usr/",
            "usr/lib/",
            "usr/lib/libz.so.1",
            "usr/lib/libz.so.1.2");
    assertThat(entries)
        .allSatisfy(
            e -> {
              assertThat(e.getLongUserId()).isZero();
              assertThat(e.getLongGroupId()).isZero();
              assertThat(e.getModTime().getTime()).isEqualTo(LayerWriter.MODIFIED_SECONDS * 1000);
            });
    assertThat(entry(entries, "lib").isSymbolicLink()).isTrue();
    assertThat(entry(entries, "lib").getLinkName()).isEqualTo("usr/lib");
    assertThat(entry(entries, "usr/lib/libz.so.1").getLinkName()).isEqualTo("libz.so.1.2");
    assertThat(entry(entries, "usr/lib/libz.so.1.2").getMode() & 07777).isEqualTo(0755);
    assertThat(entry(entries, "secret").getMode() & 07777).isEqualTo(0644);
    assertThat(entry(entries, "tmp/").getMode() & 07777).isEqualTo(01777);
    assertThat(entry(entries, "usr/").getMode() & 07777).isEqualTo(0755);
  }

  private static Path tree(Path root, List<String> files, long modifiedMillis) throws IOException {
    for (String file : files) {
      Path path = root.resolve(file);
      Files.createDirectories(path.getParent());
      Files.writeString(path, "content of " + file, StandardCharsets.UTF_8);
      Files.setLastModifiedTime(path, FileTime.fromMillis(modifiedMillis));
    }
    return root;
  }

  static List<TarArchiveEntry> entries(Layer layer) throws IOException {
    List<TarArchiveEntry> entries = new ArrayList<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(layer.blob())))) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        entries.add(e);
      }
    }
    return entries;
  }

  private static TarArchiveEntry entry(List<TarArchiveEntry> entries, String name) {
    return entries.stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
  }

  static String sha256(byte[] bytes) {
    return "sha256:" + HexFormat.of().formatHex(LayerWriter.sha256().digest(bytes));
  }
}
