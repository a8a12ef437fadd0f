package dev.sluice.images;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one image holds beyond the shared base and Java runtime: its jar (and other files) under
 * {@value #APP}, how its JVM starts, its environment and ports, and for the sidecar the training
 * run whose class archive becomes the image's last layer.
 *
 * @param name short name: the archive is {@code sluice-<name>-image.tar}
 * @param repository image repository without registry, e.g. {@code sidecar}
 * @param files files of the repository (relative to its root) → file name under {@value #APP}
 * @param jar the jar's file name under {@value #APP}
 * @param jvmFlags JVM flags on the command line, before {@code -jar}
 * @param classArchive the class archive's file name under {@value #APP}, or empty for none
 * @param environment the image's environment beyond PATH, JAVA_HOME and LANG
 */
public record ImageRecipe(
    String name,
    String repository,
    String title,
    String description,
    Map<String, String> files,
    String jar,
    List<String> jvmFlags,
    String classArchive,
    Map<String, String> environment,
    List<Integer> ports) {
  /** Where the application's files live in every image. */
  public static final String APP = "/opt/sluice";

  /** The java launcher in every image. */
  public static final String JAVA = JavaRuntime.HOME + "/bin/java";

  /** The sidecar's JVM flags file, in the jar's resources and the image. */
  static final String SIDECAR_OPTIONS =
      "sidecar/proxy/src/main/resources/dev/sluice/sidecar/jvm.options";

  /** The container's command: java, the JVM flags, the class archive if any, the jar. */
  public List<String> entrypoint() {
    List<String> command = new ArrayList<>();
    command.add(JAVA);
    command.addAll(jvmFlags);
    if (!classArchive.isEmpty()) {
      command.add("-XX:SharedArchiveFile=" + APP + "/" + classArchive);
    }
    command.add("-Djava.io.tmpdir=/tmp");
    command.add("-jar");
    command.add(APP + "/" + jar);
    return command;
  }

  /** The training run that writes the class archive: the entrypoint's JVM, dumping at exit. */
  public List<String> trainingRun() {
    if (classArchive.isEmpty()) {
      throw new IllegalStateException(name + " has no class archive to train");
    }
    List<String> command = new ArrayList<>();
    command.add(JAVA);
    command.addAll(jvmFlags);
    command.add("-XX:ArchiveClassesAtExit=" + APP + "/" + classArchive);
    command.add("-Djava.io.tmpdir=/tmp");
    command.add("-jar");
    command.add(APP + "/" + jar);
    command.add("--training-run");
    return command;
  }

  public String reference(String registry, String tag) {
    return registry + "/" + repository + ":" + tag;
  }

  public String archiveName() {
    return "sluice-" + name + "-image.tar";
  }

  /** The three images Sluice ships. */
  public static List<ImageRecipe> all() {
    return List.of(operator(), sidecar(), agent());
  }

  /**
   * The operator: its memory flags are in JAVA_TOOL_OPTIONS, not on the command line, where they
   * would win over the chart's ({@code operator.maxRAMPercentage} sets the variable).
   */
  static ImageRecipe operator() {
    return new ImageRecipe(
        "operator",
        "operator",
        "Sluice operator",
        "Injects the Sluice proxy sidecar, renders and rolls out its config, reports status.",
        Map.of("operator/target/sluice-operator.jar", "sluice-operator.jar"),
        "sluice-operator.jar",
        List.of(),
        "",
        Map.of("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError"),
        List.of(8080, 8443, 9443));
  }

  /**
   * The sidecar: the heap is half the container's memory limit, every other flag is in {@code
   * jvm.options} (the file the standalone launcher and the benchmarks use), at most two malloc
   * arenas, and the class archive trained in this image's own root filesystem
   * (docs/design/20261206-sidecar-footprint.md).
   */
  static ImageRecipe sidecar() {
    return new ImageRecipe(
        "sidecar",
        "sidecar",
        "Sluice sidecar",
        "HTTP/1.1 and HTTP/2 proxy sidecar calling SPOE offload agents over SPOP.",
        Map.of(
            "sidecar/proxy/target/sluice-sidecar.jar",
            "sluice-sidecar.jar",
            SIDECAR_OPTIONS,
            "jvm.options"),
        "sluice-sidecar.jar",
        List.of("-XX:MaxRAMPercentage=50", "@" + APP + "/jvm.options"),
        "sluice-sidecar.jsa",
        Map.of("MALLOC_ARENA_MAX", "2"),
        List.of(10090));
  }

  /**
   * The example IP-reputation SPOE agent; pass {@code --listen 0.0.0.0:12345} in a pod (its default
   * is loopback). JVM flags in JAVA_TOOL_OPTIONS, as for the operator.
   */
  static ImageRecipe agent() {
    return new ImageRecipe(
        "ip-reputation-agent",
        "ip-reputation-agent",
        "Sluice example IP-reputation agent",
        "Example SPOE agent: scores and blocks client addresses.",
        Map.of(
            "examples/ip-reputation-agent/target/ip-reputation-agent.jar",
            "ip-reputation-agent.jar"),
        "ip-reputation-agent.jar",
        List.of(),
        "",
        Map.of(
            "JAVA_TOOL_OPTIONS",
            "-XX:+UseSerialGC -XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError"),
        List.of(12345));
  }
}
