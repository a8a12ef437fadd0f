package dev.sluice.images;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The OCI image config of a recipe: user, command, environment, ports, labels, layer digests. */
final class ImageConfig {
  /** Every image is created at the time its files carry: the same inputs, the same digest. */
  static final String CREATED = "1970-01-01T00:00:01Z";

  private ImageConfig() {}

  /** The OCI name of this machine's architecture: the runtime and libraries are this machine's. */
  static String architecture() {
    String arch = System.getProperty("os.arch", "");
    return switch (arch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> throw new IllegalStateException("no OCI architecture name known for " + arch);
    };
  }

  static Map<String, Object> of(
      ImageRecipe recipe,
      String tag,
      List<Layer> layers,
      String javaVersion,
      List<String> packageVersions) {
    Map<String, String> environment = new TreeMap<>(recipe.environment());
    environment.put("PATH", JavaRuntime.HOME + "/bin:/usr/bin:/bin");
    environment.put("JAVA_HOME", JavaRuntime.HOME);
    environment.put("LANG", "C.UTF-8");
    List<String> env = new ArrayList<>();
    environment.forEach((name, value) -> env.add(name + "=" + value));

    Map<String, Object> ports = new TreeMap<>();
    for (int port : recipe.ports()) {
      ports.put(port + "/tcp", Map.of());
    }
    Map<String, String> labels = new TreeMap<>();
    labels.put("org.opencontainers.image.title", recipe.title());
    labels.put("org.opencontainers.image.description", recipe.description());
    labels.put("org.opencontainers.image.version", tag);
    labels.put("dev.sluice.java.version", javaVersion);
    labels.put("dev.sluice.debian.packages", String.join(" ", packageVersions));

    Map<String, Object> config = new LinkedHashMap<>();
    config.put("User", Userland.USER + ":" + Userland.USER);
    config.put("Env", env);
    config.put("Entrypoint", recipe.entrypoint());
    config.put("WorkingDir", "/");
    config.put("ExposedPorts", ports);
    config.put("Labels", labels);

    List<String> diffIds = new ArrayList<>();
    List<Object> history = new ArrayList<>();
    for (Layer layer : layers) {
      diffIds.add(layer.diffId());
      Map<String, Object> step = new LinkedHashMap<>();
      step.put("created", CREATED);
      step.put("created_by", "sluice-images: " + layer.name());
      history.add(step);
    }
    Map<String, Object> rootfs = new LinkedHashMap<>();
    rootfs.put("type", "layers");
    rootfs.put("diff_ids", diffIds);

    Map<String, Object> image = new LinkedHashMap<>();
    image.put("created", CREATED);
    image.put("architecture", architecture());
    image.put("os", "linux");
    image.put("config", config);
    image.put("rootfs", rootfs);
    image.put("history", history);
    return image;
  }
}
