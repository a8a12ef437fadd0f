package dev.sluice.images;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

/**
 * An image's root filesystem as a container runtime unpacks it, assembled from its layers' trees:
 * the same files at the same paths with the same modification time the layers give them ({@link
 * LayerWriter#MODIFIED_SECONDS}), plus the empty {@code /proc} and {@code /dev} a runtime mounts
 * over. The class archive is trained in it, so every path and time the archive records is the one
 * the container sees.
 */
final class Rootfs {
  private Rootfs() {}

  static Path assemble(List<Path> layerTrees, Path rootfs) throws IOException {
    Files.createDirectories(rootfs);
    for (Path tree : layerTrees) {
      try (Stream<Path> walk = Files.walk(tree)) {
        for (Path path : (Iterable<Path>) walk.sorted()::iterator) {
          Path target = rootfs.resolve(tree.relativize(path).toString());
          if (Files.isSymbolicLink(path)) {
            if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
              Files.createSymbolicLink(
                  /* link= */ target, /* target= */ Files.readSymbolicLink(path));
            }
          } else if (Files.isDirectory(path)) {
            Files.createDirectories(target);
          } else {
            try {
              Files.createLink(target, path);
            } catch (FileAlreadyExistsException e) {
              throw new IOException(
                  tree.relativize(path) + " is in two layers; each file belongs to one", e);
            }
          }
        }
      }
    }
    Files.createDirectories(rootfs.resolve("proc"));
    Files.createDirectories(rootfs.resolve("dev"));
    FileTime time = FileTime.fromMillis(LayerWriter.MODIFIED_SECONDS * 1000);
    try (Stream<Path> walk = Files.walk(rootfs)) {
      for (Path path : (Iterable<Path>) walk::iterator) {
        if (!Files.isSymbolicLink(path)) {
          Files.setLastModifiedTime(path, time);
        }
      }
    }
    return rootfs;
  }
}
