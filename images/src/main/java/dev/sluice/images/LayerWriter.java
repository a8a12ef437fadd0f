package dev.sluice.images;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a directory tree as a layer, byte for byte the same for the same tree: entries sorted by
 * path, owner root, one fixed modification time, modes reduced to 0755/0644 (executable or not)
 * unless {@code modes} names the path, symbolic links kept as links, gzip with a zero header time.
 * The same files therefore always give the same digest, on any machine with the same zlib.
 */
public final class LayerWriter {
  /**
   * The time every entry carries: one second after the epoch, as Jib does (some tools take 0 for
   * "no time"). The sidecar's class archive records its jar's time, so the rootfs it is trained in
   * carries this time too ({@link Rootfs}).
   */
  public static final long MODIFIED_SECONDS = 1;

  private final Map<String, Integer> modes;

  /** {@code modes}: path in the layer (no leading slash, directories without trailing slash). */
  public LayerWriter(Map<String, Integer> modes) {
    this.modes = Map.copyOf(modes);
  }

  /** Writes the files under {@code tree} as layer {@code name} into {@code blobs}. */
  public Layer write(String name, Path tree, Path blobs) throws IOException {
    Files.createDirectories(blobs);
    Path temporary = Files.createTempFile(blobs, name, ".tar.gz.partial");
    MessageDigest compressed = sha256();
    MessageDigest uncompressed = sha256();
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 16);
        DigestOutputStream gzipDigest = new DigestOutputStream(file, compressed);
        GZIPOutputStream gzip = new FixedLevelGzip(gzipDigest);
        DigestOutputStream tarDigest = new DigestOutputStream(gzip, uncompressed);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(tarDigest, "UTF-8")) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (Path path : sortedEntries(tree)) {
        writeEntry(tar, tree, path);
      }
      tar.finish();
    }
    String digest = "sha256:" + HexFormat.of().formatHex(compressed.digest());
    Path blob = blobs.resolve(digest.substring("sha256:".length()));
    Files.move(temporary, blob, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return new Layer(
        name,
        blob,
        digest,
        "sha256:" + HexFormat.of().formatHex(uncompressed.digest()),
        Files.size(blob));
  }

  private static List<Path> sortedEntries(Path tree) throws IOException {
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(tree)) {
      walk.filter(path -> !path.equals(tree)).forEach(paths::add);
    }
    // Sorted by the path's text, so a directory always comes before what it holds.
    paths.sort((a, b) -> layerPath(tree, a).compareTo(layerPath(tree, b)));
    return paths;
  }

  private static String layerPath(Path tree, Path path) {
    return tree.relativize(path).toString().replace('\\', '/');
  }

  private void writeEntry(TarArchiveOutputStream tar, Path tree, Path path) throws IOException {
    String name = layerPath(tree, path);
    TarArchiveEntry entry;
    boolean regular = false;
    if (Files.isSymbolicLink(path)) {
      entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
      entry.setLinkName(Files.readSymbolicLink(path).toString());
      entry.setMode(0777);
    } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      entry = new TarArchiveEntry(name + "/");
      entry.setMode(modes.getOrDefault(name, 0755));
    } else {
      entry = new TarArchiveEntry(name);
      regular = true;
      entry.setSize(Files.size(path));
      entry.setMode(modes.getOrDefault(name, executable(path) ? 0755 : 0644));
    }
    entry.setUserId(0);
    entry.setGroupId(0);
    entry.setUserName("");
    entry.setGroupName("");
    entry.setModTime(MODIFIED_SECONDS * 1000);
    tar.putArchiveEntry(entry);
    if (regular) {
      try (InputStream in = Files.newInputStream(path)) {
        in.transferTo(tar);
      }
    }
    tar.closeArchiveEntry();
  }

  private static boolean executable(Path path) throws IOException {
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
    return permissions.contains(PosixFilePermission.OWNER_EXECUTE);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
    }
  }

  /**
   * Gzip at level 6 whatever the JDK's default, with the zero header time GZIPOutputStream writes.
   */
  private static final class FixedLevelGzip extends GZIPOutputStream {
    FixedLevelGzip(OutputStream out) throws IOException {
      super(out, 1 << 16);
      def.setLevel(6);
    }
  }
}
