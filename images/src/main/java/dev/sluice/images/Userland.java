package dev.sluice.images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The base layer: the libraries the Java runtime loads, copied from this machine's Debian packages
 * with their copyright files and dpkg records ({@code /var/lib/dpkg/status.d/<package>}, the layout
 * distroless images use, so image scanners see which package versions an image holds), Debian's
 * {@code os-release}, and the few files a JVM looks for: users root and sluice (65532), groups, an
 * {@code nsswitch.conf} that reads the {@code /etc/hosts} the kubelet mounts before DNS, and a
 * world-writable {@code /tmp} (the chart mounts an emptyDir over it).
 */
final class Userland {
  static final int USER = 65532;

  private Userland() {}

  /** Builds the base layer's tree in {@code root}; returns the Debian packages it holds. */
  static Set<String> build(Set<Path> libraries, Path root) throws IOException {
    Set<String> packages = new TreeSet<>();
    for (Path library : libraries) {
      HostFiles.copy(library, root);
      packages.add(owner(library));
    }
    Path osRelease = Path.of("/etc/os-release");
    if (Files.exists(osRelease)) {
      HostFiles.copy(osRelease, root);
      packages.add(owner(osRelease.toRealPath()));
    }
    for (String pkg : packages) {
      String name = pkg.contains(":") ? pkg.substring(0, pkg.indexOf(':')) : pkg;
      String status = Command.run(List.of("dpkg-query", "--status", pkg), 30);
      write(root, "var/lib/dpkg/status.d/" + name, status.strip() + "\n");
      Path copyright = Path.of("/usr/share/doc", name, "copyright");
      if (Files.exists(copyright)) {
        HostFiles.copy(copyright, root);
      }
    }
    write(
        root,
        "etc/passwd",
        "root:x:0:0:root:/root:/usr/sbin/nologin\n"
            + "sluice:x:"
            + USER
            + ":"
            + USER
            + ":sluice:/nonexistent:/usr/sbin/nologin\n"
            + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
    write(root, "etc/group", "root:x:0:\nsluice:x:" + USER + ":\nnogroup:x:65534:\n");
    write(root, "etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n");
    Files.createDirectories(root.resolve("tmp"));
    return packages;
  }

  /** The Debian package that installed {@code path} ({@code dpkg-query --search}). */
  static String owner(Path path) throws IOException {
    List<String> candidates = new ArrayList<>();
    candidates.add(path.toString());
    candidates.add(path.toRealPath().toString());
    // Merged /usr: dpkg knows /lib/x86_64-linux-gnu/libc.so.6, ldd may say /usr/lib/...
    for (String candidate : List.copyOf(candidates)) {
      if (candidate.startsWith("/usr/")) {
        candidates.add(candidate.substring("/usr".length()));
      } else {
        candidates.add("/usr" + candidate);
      }
    }
    StringBuilder tried = new StringBuilder();
    for (String candidate : candidates) {
      Command.Result result = Command.tryRun(List.of("dpkg-query", "--search", candidate), 30);
      if (result.exitCode() == 0) {
        String line = result.output().strip().split("\n", -1)[0];
        return line.substring(0, line.indexOf(": ")).split(",", -1)[0].strip();
      }
      tried.append(' ').append(candidate);
    }
    throw new IOException("no Debian package owns" + tried + " (dpkg-query --search)");
  }

  private static void write(Path root, String path, String text) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
