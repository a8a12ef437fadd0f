package dev.sluice.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The shared libraries outside the Java runtime that it loads: {@code ldd} of every ELF file under
 * the runtime (the program interpreter included), as paths of this machine. For the runtime {@link
 * JavaRuntime} links these are glibc's libc, libm and loader, libstdc++, libgcc_s and zlib.
 */
final class NativeLibraries {
  private NativeLibraries() {}

  /** The host paths of the libraries the ELF files under {@code runtime} need, sorted. */
  static Set<Path> of(Path runtime) throws IOException {
    Set<Path> libraries = new TreeSet<>();
    for (Path elf : elfFiles(runtime)) {
      String output = Command.run(List.of("ldd", elf.toString()), 60);
      for (String line : output.split("\n", -1)) {
        libraries.addAll(parseLine(line.strip(), runtime, elf));
      }
    }
    return libraries;
  }

  /**
   * One line of {@code ldd} output: {@code libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)},
   * {@code /lib64/ld-linux-x86-64.so.2 (0x...)}, {@code linux-vdso.so.1 (0x...)}; libraries the
   * runtime itself holds are left out. A library ldd cannot find is an error.
   */
  static List<Path> parseLine(String line, Path runtime, Path elf) throws IOException {
    List<Path> found = new ArrayList<>();
    if (line.isEmpty() || line.startsWith("linux-vdso") || line.startsWith("statically linked")) {
      return found;
    }
    String path;
    int arrow = line.indexOf("=>");
    if (arrow >= 0) {
      String target = line.substring(arrow + 2).strip();
      if (target.startsWith("not found")) {
        String name = line.substring(0, arrow).strip();
        // libjvm.so is found through the launcher's own search, not ld.so's: ldd of a library
        // that links it reports it missing.
        if (name.equals("libjvm.so")) {
          return found;
        }
        throw new IOException(elf + " needs " + name + ", which ldd does not find on this machine");
      }
      path = target.split("\\s+", -1)[0];
    } else {
      path = line.split("\\s+", -1)[0];
    }
    if (!path.startsWith("/")) {
      return found;
    }
    Path library = Path.of(path).normalize();
    boolean inRuntime =
        library.startsWith(runtime)
            || (java.nio.file.Files.exists(runtime) && library.startsWith(runtime.toRealPath()));
    if (!inRuntime) {
      found.add(library);
    }
    return found;
  }

  private static List<Path> elfFiles(Path runtime) throws IOException {
    List<Path> elves = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(runtime)) {
      for (Path path : (Iterable<Path>) walk.sorted()::iterator) {
        if (Files.isRegularFile(path) && !Files.isSymbolicLink(path) && isElf(path)) {
          elves.add(path);
        }
      }
    }
    return elves;
  }

  private static boolean isElf(Path path) throws IOException {
    if (Files.size(path) < 4) {
      return false;
    }
    try (var in = Files.newInputStream(path)) {
      byte[] magic = in.readNBytes(4);
      return magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
    }
  }
}
