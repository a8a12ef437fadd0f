package dev.sluice.sidecar;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JVM the sidecar is meant to run in, and whether this one is it. The image starts {@code java}
 * with the sidecar's flags ({@code sidecar/proxy/Dockerfile}); {@code java -jar sluice-sidecar.jar}
 * with no heap option would get the JVM's defaults instead (a quarter of the machine's memory for
 * the heap, as much again for direct buffers, G1), so {@link SidecarLauncher} starts the sidecar
 * again with {@link #flags}. See docs/design/20261206-standalone-memory.md.
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

  /**
   * The sidecar's JVM flags for a machine where the JVM sees {@code visibleMemory} bytes (the
   * container's limit, when there is one): the image's, with the heap of an injected sidecar, never
   * more than half of what is visible.
   */
  static List<String> flags(long visibleMemory, Runtime.Version version) {
    long heapMiB = Math.max(32, Math.min(HEAP_BYTES, visibleMemory / 2) >> 20);
    List<String> flags = new ArrayList<>();
    flags.add("-Xmx" + heapMiB + "m");
    flags.add("-XX:+UseSerialGC");
    flags.add("-XX:CICompilerCount=2");
    if (trimsNativeHeap(version)) {
      flags.add("-XX:TrimNativeHeapInterval=5000");
    }
    flags.add("-XX:+ExitOnOutOfMemoryError");
    return flags;
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
