package dev.sluice.images;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a program of an image inside its root filesystem, the way a container runtime would as far
 * as the JVM can tell: {@code unshare} into new mount and PID namespaces, the root changed to the
 * rootfs, a fresh {@code /proc} (the dynamic loader resolves the launcher's {@code $ORIGIN} through
 * {@code /proc/self/exe}). As root that is all; otherwise a user namespace maps the caller to root
 * (util-linux 2.38+, unprivileged user namespaces allowed).
 */
final class Confinement {
  private Confinement() {}

  static List<String> command(Path rootfs, List<String> program) {
    List<String> command = new ArrayList<>();
    command.add("unshare");
    if (!isRoot()) {
      command.add("--map-root-user");
    }
    command.addAll(List.of("--mount", "--pid", "--fork", "--root=" + rootfs, "--mount-proc"));
    command.addAll(program);
    return command;
  }

  /** Empty when this machine can confine a program, else why not. */
  static String unavailable() throws IOException {
    Command.Result probe = Command.tryRun(command(Path.of("/"), List.of("/bin/true")), 30);
    if (probe.exitCode() != 0) {
      return "`unshare` cannot make mount and PID namespaces here ("
          + probe.output().strip()
          + "); the sidecar's class archive is trained inside the image's root filesystem";
    }
    return "";
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }
}
