package dev.sluice.sandbox;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.api.validation.CrdValidator;
import dev.sluice.testing.kubernetes.GatewayApiCrds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Gateway API's HTTPRoute CRD (the release {@link GatewayApiCrds} finds in shared/ beside the
 * checkout, the one the embedded API installs), compiled once with its schema and CEL rules: what
 * an example's HTTPRoute is admitted by, as kube-apiserver would with that CRD installed. Empty
 * when the checkout has no shared/ beside it.
 */
final class HttpRouteCrd {
  private static final String FILE = "gateway.networking.k8s.io_httproutes.yaml";
  private static final Optional<CrdValidator> CRD = load();

  private HttpRouteCrd() {}

  static Optional<CrdValidator> validator() {
    return CRD;
  }

  private static Optional<CrdValidator> load() {
    if (GatewayApiCrds.find().isEmpty()) {
      return Optional.empty();
    }
    Path file =
        GatewayApiCrds.files().stream()
            .filter(f -> f.getFileName().toString().equals(FILE))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        GatewayApiCrds.directory()
                            + ": no "
                            + FILE
                            + " (expected: Gateway API's)"));
    try {
      return Optional.of(CrdValidator.of(new YAMLMapper().readTree(file.toFile())));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
