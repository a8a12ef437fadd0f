package dev.sluice.images;

import java.io.IOException;
import java.util.List;

/** {@code package=version} of an installed Debian package, for the image's labels. */
final class PackageVersions {
  private PackageVersions() {}

  static String of(String pkg) throws IOException {
    String version =
        Command.run(List.of("dpkg-query", "--show", "--showformat=${Version}", pkg), 30).strip();
    String name = pkg.contains(":") ? pkg.substring(0, pkg.indexOf(':')) : pkg;
    return name + "=" + version;
  }
}
