package dev.sluice.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The standalone JVM's settings: a heap option anywhere keeps the JVM as started, the sidecar's
 * flags are the image's (sidecar/proxy/Dockerfile) with the heap of an injected sidecar.
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
    assertThat(SidecarJvm.flags(24L << 30, JDK_17_0_15)).first().isEqualTo("-Xmx128m");
    assertThat(SidecarJvm.flags(256L << 20, JDK_17_0_15)).first().isEqualTo("-Xmx128m");
    assertThat(SidecarJvm.flags(160L << 20, JDK_17_0_15)).first().isEqualTo("-Xmx80m");
    assertThat(SidecarJvm.flags(32L << 20, JDK_17_0_15)).first().isEqualTo("-Xmx32m");
  }

  @Test
  void nativeHeapTrimmingOnlyWhereTheJdkHasIt() {
    assertThat(SidecarJvm.flags(1L << 30, Runtime.Version.parse("17.0.8")))
        .doesNotContain("-XX:TrimNativeHeapInterval=5000");
    assertThat(SidecarJvm.flags(1L << 30, Runtime.Version.parse("17.0.9")))
        .contains("-XX:TrimNativeHeapInterval=5000");
    assertThat(SidecarJvm.trimsNativeHeap(Runtime.Version.parse("20.0.2"))).isFalse();
    assertThat(SidecarJvm.trimsNativeHeap(Runtime.Version.parse("21"))).isFalse();
    assertThat(SidecarJvm.trimsNativeHeap(Runtime.Version.parse("21.0.1"))).isTrue();
    assertThat(SidecarJvm.trimsNativeHeap(Runtime.Version.parse("22"))).isTrue();
  }

  @Test
  void theFlagsAreTheImagesButForHowTheHeapIsSized() throws Exception {
    String dockerfile = Files.readString(ROOT.resolve("sidecar/proxy/Dockerfile"));
    Matcher entrypoint = Pattern.compile("ENTRYPOINT \\[(.*)]").matcher(dockerfile);
    assertThat(entrypoint.find()).as("the image's ENTRYPOINT").isTrue();
    List<String> image = new ArrayList<>();
    Matcher quoted = Pattern.compile("\"([^\"]*)\"").matcher(entrypoint.group(1));
    while (quoted.find()) {
      if (quoted.group(1).startsWith("-XX:")) {
        image.add(quoted.group(1));
      }
    }
    List<String> ours = SidecarJvm.flags(24L << 30, JDK_17_0_15);
    // the image sizes the heap by the container's limit; standalone has no such limit to go by
    assertThat(image).contains("-XX:MaxRAMPercentage=50");
    assertThat(ours.subList(1, ours.size()))
        .containsExactlyInAnyOrderElementsOf(
            image.stream().filter(f -> !f.startsWith("-XX:MaxRAMPercentage")).toList());
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
  }
}
