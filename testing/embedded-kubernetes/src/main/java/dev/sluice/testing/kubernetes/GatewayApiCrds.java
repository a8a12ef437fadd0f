package dev.sluice.testing.kubernetes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Optional;

/**
 * Where Gateway API's CRDs for tests are: {@code shared/gateway-api-v1.4.1/} beside the project (a
 * copy of the release's standard channel, as the developers' machines and CI have it), found from
 * the working directory upwards, or the directory the system property {@code
 * sluice.gateway-api.crds} names.
 */
public final class GatewayApiCrds {
  /** The release the tests install. */
  public static final String RELEASE = "v1.4.1";

  private static final List<String> FILES =
      List.of(
          "gateway.networking.k8s.io_gatewayclasses.yaml",
          "gateway.networking.k8s.io_gateways.yaml",
          "gateway.networking.k8s.io_httproutes.yaml",
          "gateway.networking.k8s.io_referencegrants.yaml");

  private GatewayApiCrds() {}

  /** The directory holding the CRD files, if there is one. */
  public static Optional<Path> find() {
    String property = System.getProperty("sluice.gateway-api.crds");
    if (property != null && !property.isBlank()) {
      return Optional.of(Paths.get(property));
    }
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("gateway-api-" + RELEASE);
      if (Files.isDirectory(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** The directory holding the CRD files. */
  public static Path directory() {
    Path start = Paths.get("").toAbsolutePath();
    return find()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "shared/gateway-api-"
                        + RELEASE
                        + "/ was not found from "
                        + start
                        + " upwards (expected: the project's shared/ folder beside it, or"
                        + " -Dsluice.gateway-api.crds=<directory>)"));
  }

  /** The CRD files, each checked to exist. */
  public static List<Path> files() {
    Path dir = directory();
    return FILES.stream()
        .map(dir::resolve)
        .peek(
            f -> {
              if (!Files.isRegularFile(f)) {
                throw new IllegalStateException(
                    f + " is missing (expected: Gateway API " + RELEASE + ")");
              }
            })
        .toList();
  }
}
