package dev.sluice.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An image archive unpacked by {@code umoci} into an OCI runtime bundle (the runtime spec umoci
 * derives from the image config: user, entrypoint, environment), then adjusted the way a pod spec
 * would: read-only root, a tmpfs {@code /tmp}, extra arguments, environment and read-only mounts.
 * It shares the host's network namespace (loopback only) and leaves cgroups alone, which this
 * sandbox does not delegate.
 */
final class OciBundle {
  private static final ObjectMapper JSON = new ObjectMapper();

  final Path directory;
  private final ObjectNode config;

  private OciBundle(Path directory, ObjectNode config) {
    this.directory = directory;
    this.config = config;
  }

  static OciBundle unpack(Path archive, String tag, Path work) throws IOException {
    Path layout = Files.createDirectories(work.resolve("layout"));
    ImagesIT.run(List.of("tar", "-xf", archive.toString(), "-C", layout.toString()));
    Path bundle = work.resolve("bundle");
    ImagesIT.run(List.of("umoci", "unpack", "--image", layout + ":" + tag, bundle.toString()));
    ObjectNode config = (ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
    ObjectNode process = (ObjectNode) config.get("process");
    process.put("terminal", false);
    ((ObjectNode) config.get("root")).put("readonly", true);
    ObjectNode linux = (ObjectNode) config.get("linux");
    ArrayNode namespaces = JSON.createArrayNode();
    linux
        .get("namespaces")
        .forEach(
            ns -> {
              String type = ns.get("type").asText();
              if (!type.equals("network") && !type.equals("cgroup") && !type.equals("user")) {
                namespaces.add(ns);
              }
            });
    linux.set("namespaces", namespaces);
    linux.remove("resources");
    linux.remove("cgroupsPath");
    ArrayNode mounts = JSON.createArrayNode();
    config
        .get("mounts")
        .forEach(
            m -> {
              if (!m.get("destination").asText().startsWith("/sys/fs/cgroup")) {
                mounts.add(m);
              }
            });
    ObjectNode tmp = mounts.addObject();
    tmp.put("destination", "/tmp").put("type", "tmpfs").put("source", "tmpfs");
    tmp.putArray("options").add("nosuid").add("nodev").add("mode=1777");
    config.set("mounts", mounts);
    return new OciBundle(bundle, config);
  }

  /** The image's user, as the runtime spec says it. */
  long uid() {
    return config.get("process").get("user").get("uid").asLong();
  }

  List<String> args() {
    return JSON.convertValue(
        config.get("process").get("args"),
        JSON.getTypeFactory().constructCollectionType(List.class, String.class));
  }

  OciBundle appendArgs(List<String> extra) {
    ArrayNode args = (ArrayNode) config.get("process").get("args");
    extra.forEach(args::add);
    return this;
  }

  OciBundle environment(Map<String, String> environment) {
    ArrayNode env = (ArrayNode) config.get("process").get("env");
    environment.forEach((name, value) -> env.add(name + "=" + value));
    return this;
  }

  /** Mounts host directory {@code source} read-only at {@code destination}. */
  OciBundle mountReadOnly(Path source, String destination) {
    ObjectNode mount = ((ArrayNode) config.get("mounts")).addObject();
    mount.put("destination", destination).put("type", "bind").put("source", source.toString());
    mount.putArray("options").add("rbind").add("ro");
    return this;
  }

  OciBundle save() throws IOException {
    JSON.writerWithDefaultPrettyPrinter()
        .writeValue(directory.resolve("config.json").toFile(), config);
    return this;
  }
}
