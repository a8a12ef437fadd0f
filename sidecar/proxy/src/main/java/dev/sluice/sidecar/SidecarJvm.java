package dev.sluice.sidecar;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JVM the sidecar is meant to run in, and whether this one is it. The image starts {@code java}
 * with the sidecar's flags (the image's, {@code images/.../ImageRecipe.java}); {@code java -jar
 * sluice-sidecar.jar} with no heap option would get the JVM's defaults instead (a quarter of the
 * machine's memory for the heap, as much again for direct buffers, G1), so {@link SidecarLauncher}
 * starts the sidecar again with {@link #flags}. See docs/design/20261206-standalone-memory.md.
 */
final class SidecarJvm {
  /** Environment variable; {@code off} keeps the JVM as started (no re-execution). */
  static final String OPT_OUT = "SLUICE_JVM_DEFAULTS";

  /** System property the launcher sets on the JVM it starts: {@code launcher}. */
  static final String ORIGIN = "sluice.jvm.origin";

  /** System property the launcher sets on the JVM it starts: its own pid. */
  static final String LAUNCHER_PID = "sluice.launcher.pid";

  /**
   * The heap of the injected sidecar: half of the chart's default memory limit (256Mi) at the
   * image's {@code -XX:MaxRAMPercentage=50}.
   */
  static final long HEAP_BYTES = 128L << 20;

  /** Options that size the heap: any of them means whoever started the JVM chose its memory. */
  private static final List<String> HEAP_OPTIONS =
      List.of(
          "-Xmx",
          "-XX:MaxHeapSize=",
          "-XX:MaxRAM=",
          "-XX:MaxRAMPercentage=",
          "-XX:MinRAMPercentage=",
          "-XX:MaxRAMFraction=",
          "-XX:MinRAMFraction=");

  /** The sidecar's JVM flags but the maximum heap: one file for the image, launcher and bench. */
  static final String OPTIONS = "/dev/sluice/sidecar/jvm.options";

  /**
   * The sidecar's JVM flags for a machine where the JVM sees {@code visibleMemory} bytes (the
   * container's limit, when there is one): the heap of an injected sidecar, never more than half of
   * what is visible, then {@link #OPTIONS} (without what this JDK does not have), then the class
   * archive when there is one.
   */
  static List<String> flags(long visibleMemory, Runtime.Version version, @Nullable Path archive) {
    long heapMiB = Math.max(32, Math.min(HEAP_BYTES, visibleMemory / 2) >> 20);
    List<String> flags = new ArrayList<>();
    flags.add("-Xmx" + heapMiB + "m");
    for (String option : options()) {
      if (!option.startsWith("-XX:TrimNativeHeapInterval") || trimsNativeHeap(version)) {
        flags.add(option);
      }
    }
    if (archive != null) {
      flags.add("-XX:SharedArchiveFile=" + archive);
    }
    return flags;
  }

  /**
   * The variable that caps glibc's malloc arenas, and its value. Without it every thread that
   * mallocs gets an arena of its own (up to eight per core), each keeping freed memory for itself:
   * 1.5 MiB more per sidecar at rest, measured. The JVM cannot set it for itself (malloc is running
   * before {@code main}), so the image sets it (its {@code ENV}), the launcher sets it for the JVM
   * it starts, the benchmarks for theirs.
   */
  static final Map<String, String> MALLOC = Map.of("MALLOC_ARENA_MAX", "2");

  /** What the launcher adds to the environment of the JVM it starts: what is not set already. */
  static Map<String, String> environment(Map<String, String> current) {
    Map<String, String> added = new HashMap<>();
    MALLOC.forEach(
        (name, value) -> {
          if (!current.containsKey(name)) {
            added.put(name, value);
          }
        });
    return added;
  }

  /** The options of {@link #OPTIONS}, in order: one per line, {@code #} comments. */
  static List<String> options() {
    try (InputStream in = SidecarJvm.class.getResourceAsStream(OPTIONS)) {
      if (in == null) {
        throw new IllegalStateException(OPTIONS + " is missing from the sidecar's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .map(String::strip)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(OPTIONS, e);
    }
  }

  /**
   * The class archive beside the jar this class came from ({@code sluice-sidecar.jsa} beside {@code
   * sluice-sidecar.jar}, as a training run leaves it), null when there is none.
   */
  static @Nullable Path archiveBesideJar() {
    try {
      Path jar =
          Path.of(SidecarJvm.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      String name = jar.getFileName().toString();
      if (!name.endsWith(".jar")) {
        return null;
      }
      Path archive = jar.resolveSibling(name.substring(0, name.length() - 4) + ".jsa");
      return Files.isRegularFile(archive) ? archive : null;
    } catch (URISyntaxException | RuntimeException e) {
      return null;
    }
  }

  /** {@code -XX:TrimNativeHeapInterval} exists from JDK 17.0.9, 21.0.1 and 22 on. */
  static boolean trimsNativeHeap(Runtime.Version version) {
    int feature = version.feature();
    int update = version.update();
    return feature >= 22 || (feature == 21 && update >= 1) || (feature == 17 && update >= 9);
  }

  /**
   * The first heap-sizing option among the JVM's options ({@code jvmArgs}, which include what
   * {@code JAVA_TOOL_OPTIONS} and {@code JDK_JAVA_OPTIONS} added) and those two variables; null
   * when there is none.
   */
  static @Nullable String heapOption(List<String> jvmArgs, Map<String, String> environment) {
    List<String> all = new ArrayList<>(jvmArgs);
    for (String variable : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
      String value = environment.get(variable);
      if (value != null) {
        all.addAll(List.of(value.trim().split("\\s+")));
      }
    }
    for (String option : all) {
      for (String heap : HEAP_OPTIONS) {
        if (option.startsWith(heap)) {
          return option;
        }
      }
    }
    return null;
  }

  static boolean optedOut(Map<String, String> environment) {
    String value = environment.get(OPT_OUT);
    return value != null && List.of("off", "false", "0").contains(value.toLowerCase(Locale.ROOT));
  }

  /** This JVM's options as given (command line and the variables the JVM reads). */
  static List<String> jvmArgs() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments();
  }

  /** The memory the JVM sees: the container's limit when it has one, else the machine's. */
  static long visibleMemory() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
  }

  /**
   * One sentence on this JVM's memory and where its settings came from, for the startup output:
   * e.g. {@code JVM max heap 128 MiB, serial GC (the sidecar's defaults, set by its launcher:
   * -Xmx128m ...)}.
   */
  static String describe(@Nullable String notRelaunched) {
    HotSpotDiagnosticMXBean hotSpot =
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    long maxHeap = Long.parseLong(hotSpot.getVMOption("MaxHeapSize").getValue());
    String heap = "JVM max heap " + (maxHeap >> 20) + " MiB, " + collector(hotSpot) + " GC (";
    List<String> args = jvmArgs();
    String option = heapOption(args, System.getenv());
    if ("launcher".equals(System.getProperty(ORIGIN))) {
      List<String> ours = new ArrayList<>(args);
      ours.removeIf(a -> a.startsWith("-D" + ORIGIN) || a.startsWith("-D" + LAUNCHER_PID));
      return heap + "the sidecar's defaults, set by its launcher: " + String.join(" ", ours) + ")";
    }
    if (option != null) {
      return heap + "sized by the JVM's options: " + option + ")";
    }
    return heap + "the JVM's own defaults: " + notRelaunched + ")";
  }

  private static String collector(HotSpotDiagnosticMXBean hotSpot) {
    for (String gc : List.of("Serial", "G1", "Parallel", "Z", "Shenandoah", "Epsilon")) {
      try {
        if ("true".equals(hotSpot.getVMOption("Use" + gc + "GC").getValue())) {
          return gc.toLowerCase(Locale.ROOT);
        }
      } catch (IllegalArgumentException notInThisJvm) {
        // the option does not exist here: not that collector
      }
    }
    return "unknown";
  }

  private SidecarJvm() {}
}
