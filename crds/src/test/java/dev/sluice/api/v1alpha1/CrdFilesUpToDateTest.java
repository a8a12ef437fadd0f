package dev.sluice.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The CRD YAML committed in crds/ is exactly what the Java types generate. */
class CrdFilesUpToDateTest {
  static final java.util.List<Class<?>> KINDS = CrdFiles.KINDS;

  @ParameterizedTest(name = "{0}")
  @FieldSource("KINDS")
  void committedCrdMatchesGeneratedOne(Class<?> kind) throws IOException {
    String expected = CrdFiles.render(kind);
    if (Boolean.getBoolean("crds.update")) {
      Files.writeString(CrdFiles.COMMITTED_DIR.resolve(CrdFiles.fileName(kind)), expected);
      // The chart's templated CRDs render this copy (charts' ChartCrdsIT checks it is identical).
      Files.writeString(CrdFiles.CHART_DIR.resolve(CrdFiles.fileName(kind)), expected);
    }
    assertThat(CrdFiles.COMMITTED_DIR.resolve(CrdFiles.fileName(kind)))
        .as(
            "crds/%s is stale: run ./mvnw -pl crds verify -Dcrds.update=true and commit it",
            CrdFiles.fileName(kind))
        .exists();
    assertThat(CrdFiles.committed(kind))
        .as(
            "crds/%s is stale: run ./mvnw -pl crds verify -Dcrds.update=true and commit it",
            CrdFiles.fileName(kind))
        .isEqualTo(expected);
  }
}
