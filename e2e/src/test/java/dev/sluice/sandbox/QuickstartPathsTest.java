package dev.sluice.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.v1alpha1.ConditionTypes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's real-cluster quickstart (and the shop and canary examples' READMEs) name only files
 * that exist in the repository, or that the build writes: each such build output is listed here
 * with the module that writes it, and the test checks that the module is in the build and says it
 * writes that file. A module that is still being built elsewhere may be listed as pending; once it
 * is in the build, the pending entry fails the test, so the exemption cannot outlive it.
 */
class QuickstartPathsTest {
  static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath();
  static final String SECTION = "## Quickstart on a real cluster (kind)";

  /**
   * A file the build writes.
   *
   * @param path as the README names it
   * @param module the module (its folder) that writes it
   * @param evidence files of the module and a text each must hold, which say it writes it
   */
  record BuildOutput(String path, String module, Map<String, String> evidence) {}

  static final List<BuildOutput> BUILD_OUTPUTS =
      List.of(
          new BuildOutput(
              "charts/target/helm/sluice-0.1.0.tgz",
              "charts",
              Map.of(
                  "charts/pom.xml",
                  "<mainClass>dev.sluice.charts.ChartPackager</mainClass>",
                  "charts/sluice/Chart.yaml",
                  "\nversion: 0.1.0\n")),
          new BuildOutput(
              "images/target/sluice-operator-image.tar",
              "images",
              Map.of(
                  "images/pom.xml",
                  "<mainClass>dev.sluice.images.BuildImages</mainClass>",
                  "images/src/test/java/dev/sluice/images/ImageRecipeTest.java",
                  "\"sluice-operator-image.tar\"")),
          new BuildOutput(
              "images/target/sluice-sidecar-image.tar",
              "images",
              Map.of(
                  "images/pom.xml",
                  "<mainClass>dev.sluice.images.BuildImages</mainClass>",
                  "images/src/test/java/dev/sluice/images/ImageRecipeTest.java",
                  "\"sluice-sidecar-image.tar\"")),
          new BuildOutput(
              "images/target/sluice-ip-reputation-agent-image.tar",
              "images",
              Map.of(
                  "images/pom.xml",
                  "<mainClass>dev.sluice.images.BuildImages</mainClass>",
                  "images/src/test/java/dev/sluice/images/ImageRecipeTest.java",
                  "\"sluice-ip-reputation-agent-image.tar\"")));

  /**
   * Modules another branch is adding, whose outputs are allowed before they land; once such a
   * module is in the build this fails. None now.
   */
  static final Set<String> PENDING_MODULES = Set.of();

  static String quickstart() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int start = readme.indexOf(SECTION);
    assertThat(start).as("README.md has a section %s", SECTION).isNotNegative();
    int end = readme.indexOf("\n## ", start + SECTION.length());
    return readme.substring(start, end < 0 ? readme.length() : end);
  }

  /** The text of every fenced code block of {@code markdown}. */
  static List<String> codeBlocks(String markdown) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("(?ms)^```[a-z]*\\n(.*?)^```").matcher(markdown);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** Words of {@code code} that are paths under one of {@code topLevel}'s folders. */
  static Set<String> repositoryPaths(String code, Set<String> topLevel) {
    Set<String> out = new LinkedHashSet<>();
    for (String word : code.split("[\\s=\"'`@]+")) {
      String path = word.replaceAll("[),;:]+$", "");
      if (path.startsWith("oci-archive:")) {
        path = path.substring("oci-archive:".length());
      }
      int slash = path.indexOf('/');
      if (slash > 0 && topLevel.contains(path.substring(0, slash))) {
        out.add(path);
      }
    }
    return out;
  }

  static Set<String> topLevelFolders() throws IOException {
    Set<String> out = new LinkedHashSet<>();
    try (Stream<Path> entries = Files.list(ROOT)) {
      entries
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith("."))
          .forEach(out::add);
    }
    BUILD_OUTPUTS.forEach(o -> out.add(o.module()));
    return out;
  }

  static boolean inTheBuild(String module) throws IOException {
    return Files.readString(ROOT.resolve("pom.xml")).contains("<module>" + module + "</module>");
  }

  @Test
  void everyPathTheQuickstartsNameExistsOrIsWrittenByANamedModule() throws IOException {
    Set<String> topLevel = topLevelFolders();
    Set<String> named = new LinkedHashSet<>();
    codeBlocks(quickstart()).forEach(c -> named.addAll(repositoryPaths(c, topLevel)));
    for (String example : List.of("examples/shop/README.md", "examples/canary/README.md")) {
      codeBlocks(Files.readString(ROOT.resolve(example)))
          .forEach(c -> named.addAll(repositoryPaths(c, topLevel)));
    }
    assertThat(named)
        .as("what the quickstart installs from")
        .contains(
            "charts/target/helm/sluice-0.1.0.tgz",
            "images/target/sluice-operator-image.tar",
            "images/target/sluice-sidecar-image.tar",
            "images/target/sluice-ip-reputation-agent-image.tar",
            "examples/shop/",
            "examples/shop/00-namespace.yaml");
    List<String> outputs = BUILD_OUTPUTS.stream().map(BuildOutput::path).toList();
    for (String path : named) {
      if (!outputs.contains(path)) {
        assertThat(ROOT.resolve(path)).as("%s, named by a quickstart", path).exists();
      }
    }
  }

  @Test
  void everyBuildOutputItNamesIsWrittenByItsModule() throws IOException {
    for (BuildOutput output : BUILD_OUTPUTS) {
      if (PENDING_MODULES.contains(output.module())) {
        assertThat(inTheBuild(output.module()))
            .as(
                "module %s is in the build now: remove it from PENDING_MODULES so %s is checked",
                output.module(), output.path())
            .isFalse();
        continue;
      }
      assertThat(inTheBuild(output.module()))
          .as(
              "%s is written by module %s, which is in pom.xml's modules",
              output.path(), output.module())
          .isTrue();
      assertThat(output.path()).startsWith(output.module() + "/target/");
      for (var evidence : output.evidence().entrySet()) {
        assertThat(Files.readString(ROOT.resolve(evidence.getKey())))
            .as("%s says module %s writes %s", evidence.getKey(), output.module(), output.path())
            .contains(evidence.getValue());
      }
    }
  }

  @Test
  void theQuickstartLoadsEveryImageInstallsThePackagedChartAndWaitsForReady() throws IOException {
    String code = String.join("\n", codeBlocks(quickstart()));
    for (String archive :
        List.of("sluice-operator", "sluice-sidecar", "sluice-ip-reputation-agent")) {
      assertThat(code).contains("kind load image-archive images/target/" + archive + "-image.tar");
    }
    assertThat(code)
        .contains("helm install sluice charts/target/helm/sluice-0.1.0.tgz")
        .contains("kubectl apply -f examples/shop/")
        .contains(
            "kubectl -n shop wait --for=condition="
                + ConditionTypes.READY
                + " proxyroute/"
                + ShopRoute.NAME)
        .contains("kubectl -n shop create secret tls " + ShopDemo.TLS_SECRET);
  }
}
