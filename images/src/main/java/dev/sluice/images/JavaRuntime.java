package dev.sluice.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Java runtime every image shares, linked by {@code jlink} from a JDK's jmods: only the modules
 * the three jars need ({@link #MODULES}; {@code JavaRuntimeModulesIT} fails when {@code jdeps}
 * finds one missing), no debug attributes, headers or man pages, the default class archive
 * generated for it (the base the sidecar's own archive is layered on), and none of java.desktop's
 * native libraries (the jars use java.beans, which needs none; those libraries would pull X11 and
 * font libraries into the image).
 */
final class JavaRuntime {
  /** Where the runtime lives in every image. */
  static final String HOME = "/opt/java";

  /**
   * The union of what {@code jdeps --print-module-deps} finds in the operator, sidecar and agent
   * jars, plus jdk.crypto.ec, which no class names (the TLS stack finds its elliptic curves through
   * a service), so that one runtime layer is shared by all three images.
   */
  static final List<String> MODULES =
      List.of(
          "java.base",
          "java.compiler",
          "java.desktop",
          "java.management",
          "java.naming",
          "java.net.http",
          "java.sql",
          "jdk.crypto.ec",
          "jdk.httpserver",
          "jdk.jfr",
          "jdk.management",
          "jdk.unsupported");

  private JavaRuntime() {}

  /** Links the runtime into {@code root}{@value #HOME} from {@code jdk}. */
  static void link(Path jdk, Path root) throws IOException {
    Path output = HostFiles.inRoot(root, Path.of(HOME));
    Files.createDirectories(output.getParent());
    Command.run(
        List.of(
            jdk.resolve("bin/jlink").toString(),
            "--module-path",
            jdk.resolve("jmods").toString(),
            "--add-modules",
            String.join(",", MODULES),
            "--strip-debug",
            "--no-header-files",
            "--no-man-pages",
            "--generate-cds-archive",
            "--exclude-files=glob:/java.desktop/lib/**",
            "--output",
            output.toString()),
        300);
    // Only a heap above 32 GiB uses the archive without compressed pointers.
    Files.deleteIfExists(output.resolve("lib/server/classes_nocoops.jsa"));
    // Tools no container entrypoint runs.
    Files.deleteIfExists(output.resolve("bin/jfr"));
    Files.deleteIfExists(output.resolve("bin/keytool"));
  }

  /** The runtime's {@code release} file's JAVA_VERSION, for the image labels. */
  static String version(Path root) throws IOException {
    Path release = HostFiles.inRoot(root, Path.of(HOME, "release"));
    for (String line : Files.readAllLines(release)) {
      if (line.startsWith("JAVA_VERSION=")) {
        return line.substring("JAVA_VERSION=".length()).replace("\"", "");
      }
    }
    throw new IOException(release + " has no JAVA_VERSION line");
  }

  /** Whether {@code jdk} can link a runtime: it has jlink and the jmods. */
  static String missingFrom(Path jdk) {
    if (!Files.isExecutable(jdk.resolve("bin/jlink"))) {
      return jdk.resolve("bin/jlink") + " is missing (a JDK, not a JRE, is needed)";
    }
    if (!Files.isRegularFile(jdk.resolve("jmods/java.base.jmod"))) {
      return jdk.resolve("jmods")
          + " has no java.base.jmod (Debian: apt-get install openjdk-17-jdk-headless)";
    }
    return "";
  }
}
