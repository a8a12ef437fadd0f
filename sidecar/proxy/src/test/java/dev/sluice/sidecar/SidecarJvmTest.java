package dev.sluice.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The standalone JVM's settings: a heap option anywhere keeps the JVM as started, the sidecar's
 * flags are the image's (images/: ImageRecipeTest checks the image runs the same file) with the
 * heap of an injected sidecar.
 */
class SidecarJvmTest {
  private static final Path ROOT =
      Path.of(System.getProperty("sluice.root", "../..")).toAbsolutePath();
  private static final Runtime.Version JDK_17_0_15 = Runtime.Version.parse("17.0.15");

  @Test
  void aHeapOptionOnTheCommandLineOrInTheJvmsVariablesIsFound() {
    assertThat(SidecarJvm.heapOption(List.of("-Dx=1", "-Xmx64m"), Map.of())).isEqualTo("-Xmx64m");
    assertThat(SidecarJvm.heapOption(List.of("-XX:MaxRAMPercentage=50"), Map.of()))
        .isEqualTo("-XX:MaxRAMPercentage=50");
    assertThat(SidecarJvm.heapOption(List.of("-XX:MaxRAM=1g"), Map.of()))
        .isEqualTo("-XX:MaxRAM=1g");
    assertThat(SidecarJvm.heapOption(List.of(), Map.of("JAVA_TOOL_OPTIONS", " -Xss1m -Xmx1g ")))
        .isEqualTo("-Xmx1g");
    assertThat(
            SidecarJvm.heapOption(
                List.of(), Map.of("JDK_JAVA_OPTIONS", "-XX:MaxHeapSize=268435456")))
        .isEqualTo("-XX:MaxHeapSize=268435456");
    assertThat(
            SidecarJvm.heapOption(
                List.of("-Xms64m", "-XX:+UseSerialGC", "-XX:InitialRAMPercentage=5"),
                Map.of("JAVA_TOOL_OPTIONS", "-Dfile.encoding=UTF-8")))
        .as("no option that bounds the heap")
        .isNull();
  }

  @Test
  void theOptOutTakesOffFalseOrZero() {
    assertThat(SidecarJvm.optedOut(Map.of("SLUICE_JVM_DEFAULTS", "off"))).isTrue();
    assertThat(SidecarJvm.optedOut(Map.of("SLUICE_JVM_DEFAULTS", "FALSE"))).isTrue();
    assertThat(SidecarJvm.optedOut(Map.of("SLUICE_JVM_DEFAULTS", "0"))).isTrue();
    assertThat(SidecarJvm.optedOut(Map.of("SLUICE_JVM_DEFAULTS", "on"))).isFalse();
    assertThat(SidecarJvm.optedOut(Map.of())).isFalse();
  }

  @Test
  void theHeapIsAnInjectedSidecarsAndNeverMoreThanHalfOfWhatTheJvmSees() {
    assertThat(SidecarJvm.flags(24L << 30, JDK_17_0_15, null)).first().isEqualTo("-Xmx128m");
    assertThat(SidecarJvm.flags(256L << 20, JDK_17_0_15, null)).first().isEqualTo("-Xmx128m");
    assertThat(SidecarJvm.flags(160L << 20, JDK_17_0_15, null)).first().isEqualTo("-Xmx80m");
    assertThat(SidecarJvm.flags(32L << 20, JDK_17_0_15, null)).first().isEqualTo("-Xmx32m");
  }

  @Test
  void nativeHeapTrimmingOnlyWhereTheJdkHasIt() {
    assertThat(SidecarJvm.flags(1L << 30, Runtime.Version.parse("17.0.8"), null))
        .noneMatch(f -> f.startsWith("-XX:TrimNativeHeapInterval"));
    assertThat(SidecarJvm.flags(1L << 30, Runtime.Version.parse("17.0.9"), null))
        .contains("-XX:TrimNativeHeapInterval=5000");
    assertThat(SidecarJvm.trimsNativeHeap(Runtime.Version.parse("20.0.2"))).isFalse();
    assertThat(SidecarJvm.trimsNativeHeap(Runtime.Version.parse("21"))).isFalse();
    assertThat(SidecarJvm.trimsNativeHeap(Runtime.Version.parse("21.0.1"))).isTrue();
    assertThat(SidecarJvm.trimsNativeHeap(Runtime.Version.parse("22"))).isTrue();
  }

  @Test
  void theFlagsAreOneFileInTheOrderItGivesThemThenTheArchive() {
    List<String> options = SidecarJvm.options();
    assertThat(options)
        .contains("-XX:+UseSerialGC", "-Xms8m", "-XX:ArchiveRelocationMode=0")
        .noneMatch(o -> o.startsWith("#") || o.isBlank())
        .noneMatch(o -> o.startsWith("-Xmx") || o.startsWith("-XX:MaxRAMPercentage"));
    // a diagnostic option is refused unless unlocked first
    assertThat(options.indexOf("-XX:+UnlockDiagnosticVMOptions"))
        .isLessThan(options.indexOf("-XX:ArchiveRelocationMode=0"));
    List<String> flags =
        SidecarJvm.flags(24L << 30, JDK_17_0_15, Path.of("/opt/sluice/sluice-sidecar.jsa"));
    assertThat(flags.subList(1, flags.size() - 1)).isEqualTo(options);
    assertThat(flags).last().isEqualTo("-XX:SharedArchiveFile=/opt/sluice/sluice-sidecar.jsa");
  }

  @Test
  void theLauncherCapsMallocArenasUnlessTheEnvironmentSaysOtherwise() {
    assertThat(SidecarJvm.environment(Map.of())).containsEntry("MALLOC_ARENA_MAX", "2");
    assertThat(SidecarJvm.environment(Map.of("MALLOC_ARENA_MAX", "8"))).isEmpty();
  }

  @Test
  void aCommandLineIsRepeatedOnlyWhenItWasReadWhole() {
    String[] args = {"--config", "x.yaml"};
    assertThat(SidecarLauncher.endsWith(new String[] {"-jar", "s.jar", "--config", "x.yaml"}, args))
        .isTrue();
    assertThat(SidecarLauncher.endsWith(new String[] {"-jar", "s.jar", "--config", "x.ya"}, args))
        .as("cut short")
        .isFalse();
    assertThat(SidecarLauncher.endsWith(new String[] {"--config", "x.yaml"}, args))
        .as("no JVM arguments before them")
        .isFalse();
  }

  @Test
  void onlyARunningSidecarIsRelaunched() {
    assertThat(SidecarMain.serves("--config", "x.yaml")).isTrue();
    assertThat(SidecarMain.serves("--config", "x.yaml", "--check")).isFalse();
    assertThat(SidecarMain.serves("--help")).isFalse();
    assertThat(SidecarMain.serves("-V")).isFalse();
    assertThat(SidecarMain.serves("--training-run"))
        .as("the image build starts it with its own flags and an archive to write")
        .isFalse();
  }
}
