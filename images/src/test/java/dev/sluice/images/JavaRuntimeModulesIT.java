package dev.sluice.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The runtime's module list covers what {@code jdeps} finds each image's jar needs. */
class JavaRuntimeModulesIT {
  private static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).normalize();

  /** What jlink links: the modules named and every module they require. */
  private static Set<String> linked() {
    return Configuration.empty()
        .resolve(ModuleFinder.ofSystem(), ModuleFinder.of(), JavaRuntime.MODULES)
        .modules()
        .stream()
        .map(ResolvedModule::name)
        .collect(Collectors.toSet());
  }

  @Test
  void everyModuleAJarNeedsIsLinked() {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    for (ImageRecipe recipe : ImageRecipe.all()) {
      String jarSource =
          recipe.files().entrySet().stream()
              .filter(e -> e.getValue().equals(recipe.jar()))
              .findFirst()
              .orElseThrow()
              .getKey();
      Path jar = ROOT.resolve(jarSource);
      assertThat(jar).as("built by its module").isRegularFile();
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exit =
          jdeps.run(
              new PrintWriter(out),
              new PrintWriter(err),
              "--ignore-missing-deps",
              "--print-module-deps",
              "--multi-release",
              "17",
              jar.toString());
      assertThat(exit).as(err.toString()).isZero();
      List<String> lines = out.toString().strip().lines().toList();
      List<String> needed = Arrays.asList(lines.get(lines.size() - 1).split(",", -1));
      assertThat(linked()).as(recipe.name() + " needs").containsAll(needed);
    }
  }
}
