package dev.sluice.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Builds the three image archives ({@code target/sluice-<name>-image.tar}) and a summary ({@code
 * target/images.json}); run by the images module's {@code package} phase with system properties
 * {@code images.root}, {@code images.output}, {@code images.registry}, {@code images.tag}, {@code
 * images.jdk}, {@code images.required}, {@code images.skip}.
 *
 * <p>The base and Java runtime layers are built once and are byte for byte the same in every image,
 * so a node stores them once. A machine that cannot build images (no jmods, no dpkg, no namespaces)
 * skips them with the reason, unless images are required ({@code CI=true} or {@code
 * -Dimages.required=true}), when it fails with that reason.
 */
public final class BuildImages {
  private BuildImages() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(property("images.root")).toAbsolutePath().normalize();
    Path output = Path.of(property("images.output")).toAbsolutePath().normalize();
    String registry = property("images.registry");
    String tag = property("images.tag");
    Path jdk = Path.of(property("images.jdk"));
    boolean required =
        Boolean.parseBoolean(System.getProperty("images.required", "false"))
            || "true".equalsIgnoreCase(System.getenv("CI"));
    if (Boolean.parseBoolean(System.getProperty("images.skip", "false"))) {
      say("skipped: -Dimages.skip=true");
      return;
    }
    String missing = prerequisitesMissing(jdk);
    if (!missing.isEmpty()) {
      if (required) {
        throw new IllegalStateException("cannot build the images: " + missing);
      }
      say("skipped, this machine cannot build them: " + missing);
      return;
    }
    List<Map<String, Object>> summary = new ArrayList<>();
    for (OciArchive.Written written : build(root, output, registry, tag, jdk)) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("archive", written.archive().getFileName().toString());
      entry.put("reference", written.reference());
      entry.put("manifestDigest", written.manifestDigest());
      entry.put("bytes", written.bytes());
      summary.add(entry);
      say(
          String.format(
              Locale.ROOT,
              "%s  %s  %.1f MiB  %s",
              written.archive().getFileName(),
              written.reference(),
              written.bytes() / 1048576.0,
              written.manifestDigest()));
    }
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(output.resolve("images.json").toFile(), summary);
  }

  /** Builds every image of {@link ImageRecipe#all()}; returns what was written. */
  public static List<OciArchive.Written> build(
      Path root, Path output, String registry, String tag, Path jdk) throws IOException {
    Path work = output.resolve("images-work");
    deleteTree(work);
    Path blobs = Files.createDirectories(work.resolve("blobs"));
    LayerWriter writer = new LayerWriter(Map.of("tmp", 01777));

    Path javaTree = work.resolve("layers/java");
    JavaRuntime.link(jdk, javaTree);
    Path baseTree = Files.createDirectories(work.resolve("layers/base"));
    Set<String> packages =
        Userland.build(
            NativeLibraries.of(HostFiles.inRoot(javaTree, Path.of(JavaRuntime.HOME))), baseTree);
    // The runtime's default class archive in a layer of its own: JDK 17 does not dump it byte for
    // byte the same twice, and this way the runtime layer, 30 MiB more, is.
    Path javaClassesTree = work.resolve("layers/java-classes");
    moveInto(javaTree, javaClassesTree, JavaRuntime.HOME + "/lib/server/classes.jsa");
    Layer base = writer.write("base", baseTree, blobs);
    Layer java = writer.write("java", javaTree, blobs);
    Layer javaClasses = writer.write("java-classes", javaClassesTree, blobs);
    String javaVersion = JavaRuntime.version(javaTree);
    List<String> packageVersions = new ArrayList<>();
    for (String pkg : packages) {
      packageVersions.add(PackageVersions.of(pkg));
    }

    List<OciArchive.Written> written = new ArrayList<>();
    for (ImageRecipe recipe : ImageRecipe.all()) {
      Path appTree = Files.createDirectories(work.resolve("layers/" + recipe.name()));
      Path app = HostFiles.inRoot(appTree, Path.of(ImageRecipe.APP));
      Files.createDirectories(app);
      for (Map.Entry<String, String> file : new TreeMap<>(recipe.files()).entrySet()) {
        Path source = root.resolve(file.getKey());
        if (!Files.isRegularFile(source)) {
          throw new IOException(
              source + " is missing: build its module first (./mvnw -B install -pl images -am)");
        }
        Files.copy(source, app.resolve(file.getValue()));
      }
      List<Layer> layers = new ArrayList<>(List.of(base, java, javaClasses));
      layers.add(writer.write(recipe.name(), appTree, blobs));
      if (!recipe.classArchive().isEmpty()) {
        layers.add(
            trainClassArchive(recipe, List.of(baseTree, javaTree, javaClassesTree, appTree), work));
      }
      Path archive = output.resolve(recipe.archiveName());
      written.add(
          OciArchive.write(
              archive,
              recipe.reference(registry, tag),
              layers,
              ImageConfig.of(recipe, tag, layers, javaVersion, packageVersions)));
    }
    deleteTree(work);
    return written;
  }

  /** Runs the recipe's training run in the image's rootfs; the archive is a layer of its own. */
  private static Layer trainClassArchive(ImageRecipe recipe, List<Path> trees, Path work)
      throws IOException {
    Path rootfs = Rootfs.assemble(trees, work.resolve("rootfs-" + recipe.name()));
    Command.run(Confinement.command(rootfs, recipe.trainingRun()), 600);
    Path trained = HostFiles.inRoot(rootfs, Path.of(ImageRecipe.APP, recipe.classArchive()));
    if (!Files.isRegularFile(trained)) {
      throw new IOException("the training run wrote no class archive at " + trained);
    }
    Path archiveTree = work.resolve("layers/" + recipe.name() + "-classes");
    Path target = HostFiles.inRoot(archiveTree, Path.of(ImageRecipe.APP, recipe.classArchive()));
    Files.createDirectories(target.getParent());
    Files.copy(trained, target);
    return new LayerWriter(Map.of(ImageRecipe.APP.substring(1) + "/" + recipe.classArchive(), 0444))
        .write(recipe.name() + "-classes", archiveTree, work.resolve("blobs"));
  }

  private static void moveInto(Path fromTree, Path toTree, String absolute) throws IOException {
    Path from = HostFiles.inRoot(fromTree, Path.of(absolute));
    Path to = HostFiles.inRoot(toTree, Path.of(absolute));
    Files.createDirectories(to.getParent());
    Files.move(from, to);
  }

  static String prerequisitesMissing(Path jdk) throws IOException {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
      return "images are built on Linux (this is " + System.getProperty("os.name") + ")";
    }
    String fromJdk = JavaRuntime.missingFrom(jdk);
    if (!fromJdk.isEmpty()) {
      return fromJdk;
    }
    for (List<String> probe :
        List.of(List.of("ldd", "--version"), List.of("dpkg-query", "--version"))) {
      if (Command.tryRun(probe, 30).exitCode() != 0) {
        return "`" + probe.get(0) + "` is missing (the base layer is made of Debian packages)";
      }
    }
    return Confinement.unavailable();
  }

  private static void deleteTree(Path tree) throws IOException {
    if (!Files.exists(tree)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(tree)) {
      for (Path path : (Iterable<Path>) walk.sorted((a, b) -> b.compareTo(a))::iterator) {
        Files.delete(path);
      }
    }
  }

  private static String property(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("system property " + name + " is required");
    }
    return value;
  }

  private static void say(String line) {
    // checkstyle:terminal-output-begin
    System.out.println("[images] " + line);
    // checkstyle:terminal-output-end
  }
}
