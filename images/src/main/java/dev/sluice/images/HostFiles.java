package dev.sluice.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Copies a file of this machine into a root filesystem under the same absolute path, with every
 * symbolic link met on the way (a directory such as {@code /lib} on a merged-/usr system, or the
 * file itself, such as {@code libstdc++.so.6}) recreated as the same link, so the copy resolves
 * inside the image exactly as it does here.
 */
final class HostFiles {
  private static final int MAX_LINKS = 40;

  private HostFiles() {}

  /** Copies {@code hostPath} (absolute) into {@code root}. */
  static void copy(Path hostPath, Path root) throws IOException {
    if (!hostPath.isAbsolute()) {
      throw new IllegalArgumentException("host path must be absolute, got " + hostPath);
    }
    copy(hostPath.normalize(), root, 0);
  }

  private static void copy(Path hostPath, Path root, int linksFollowed) throws IOException {
    if (linksFollowed > MAX_LINKS) {
      throw new IOException("too many symbolic links resolving " + hostPath);
    }
    Path current = hostPath.getRoot();
    for (int i = 0; i < hostPath.getNameCount(); i++) {
      current = current.resolve(hostPath.getName(i));
      Path copy = inRoot(root, current);
      Path parent = current.getParent();
      if (Files.isSymbolicLink(current) && parent != null) {
        Path pointsTo = Files.readSymbolicLink(current);
        if (!Files.exists(copy, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectories(copy.getParent());
          Files.createSymbolicLink(/* link= */ copy, /* target= */ pointsTo);
        }
        Path resolved = parent.resolve(pointsTo).normalize();
        Path rest = resolved;
        for (int j = i + 1; j < hostPath.getNameCount(); j++) {
          rest = rest.resolve(hostPath.getName(j));
        }
        copy(rest, root, linksFollowed + 1);
        return;
      }
      if (i == hostPath.getNameCount() - 1) {
        if (Files.isDirectory(current)) {
          throw new IOException(current + " is a directory; HostFiles copies files");
        }
        Files.createDirectories(copy.getParent());
        Files.copy(current, copy, StandardCopyOption.REPLACE_EXISTING);
      } else if (!Files.isDirectory(current)) {
        throw new IOException("no such directory on this machine: " + current);
      }
    }
  }

  static Path inRoot(Path root, Path absolute) {
    return root.resolve(absolute.getRoot().relativize(absolute).toString());
  }
}
