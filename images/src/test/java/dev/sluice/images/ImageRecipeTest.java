package dev.sluice.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageRecipeTest {
  private static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).normalize();

  @Test
  void theSidecarImageRunsTheOptionsFileTheLauncherAndBenchmarksUse() throws IOException {
    ImageRecipe sidecar = ImageRecipe.sidecar();
    // the file the sidecar jar carries for its launcher (SidecarJvm.OPTIONS)
    try (InputStream inJar =
        ImageRecipeTest.class.getResourceAsStream("/dev/sluice/sidecar/jvm.options")) {
      assertThat(inJar).as("jvm.options in the sidecar jar").isNotNull();
      assertThat(new String(inJar.readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo(Files.readString(ROOT.resolve(ImageRecipe.SIDECAR_OPTIONS)));
    }
    assertThat(sidecar.files()).containsEntry(ImageRecipe.SIDECAR_OPTIONS, "jvm.options");
    // the heap follows the container's limit; every other flag is the file's
    assertThat(sidecar.entrypoint())
        .startsWith("/opt/java/bin/java", "-XX:MaxRAMPercentage=50", "@/opt/sluice/jvm.options")
        .contains("-XX:SharedArchiveFile=/opt/sluice/sluice-sidecar.jsa")
        .endsWith("-jar", "/opt/sluice/sluice-sidecar.jar");
    // SidecarJvm.MALLOC, what the standalone launcher sets
    assertThat(sidecar.environment()).isEqualTo(Map.of("MALLOC_ARENA_MAX", "2"));
  }

  @Test
  void theTrainingRunIsTheEntrypointsJvmDumpingTheArchiveTheEntrypointMaps() {
    ImageRecipe sidecar = ImageRecipe.sidecar();
    List<String> training = sidecar.trainingRun();
    List<String> entrypoint = sidecar.entrypoint();
    // the same JVM flags: an archive is only mapped by a JVM with the settings it was dumped with
    assertThat(training.subList(0, 3)).isEqualTo(entrypoint.subList(0, 3));
    assertThat(training)
        .contains("-XX:ArchiveClassesAtExit=/opt/sluice/sluice-sidecar.jsa")
        .endsWith("-jar", "/opt/sluice/sluice-sidecar.jar", "--training-run")
        .noneMatch(flag -> flag.startsWith("-XX:SharedArchiveFile"));
  }

  @Test
  void theOperatorAndAgentCommandLinesCarryNoJvmFlagsTheEnvironmentCouldNotOverride() {
    for (ImageRecipe recipe : List.of(ImageRecipe.operator(), ImageRecipe.agent())) {
      assertThat(recipe.entrypoint())
          .as(recipe.name() + ": JAVA_TOOL_OPTIONS (the chart's) loses to the command line")
          .noneMatch(flag -> flag.startsWith("-XX:") || flag.startsWith("-Xm"));
      assertThat(recipe.environment().get("JAVA_TOOL_OPTIONS"))
          .contains("-XX:MaxRAMPercentage=")
          .contains("-XX:+ExitOnOutOfMemoryError");
      assertThat(recipe.classArchive()).isEmpty();
    }
  }

  @Test
  void theTagIsTheChartsAppVersionAndEveryImageHasItsOwnArchiveAndRepository() throws IOException {
    String chart = Files.readString(ROOT.resolve("charts/sluice/Chart.yaml"));
    assertThat(chart).contains("appVersion: \"" + System.getProperty("images.tag", "0.1.0") + "\"");
    assertThat(ImageRecipe.all())
        .extracting(ImageRecipe::archiveName)
        .containsExactly(
            "sluice-operator-image.tar",
            "sluice-sidecar-image.tar",
            "sluice-ip-reputation-agent-image.tar");
    assertThat(ImageRecipe.sidecar().reference("ghcr.io/sluice", "0.1.0"))
        .isEqualTo("ghcr.io/sluice/sidecar:0.1.0");
    String values = Files.readString(ROOT.resolve("charts/sluice/values.yaml"));
    assertThat(values)
        .contains("repository: ghcr.io/sluice/operator")
        .contains("repository: ghcr.io/sluice/sidecar");
  }
}
