package dev.sluice.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciArchiveTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;

  @Test
  void theArchiveIsAnOciLayoutAndADockerSaveArchiveOfTheSameBlobs() throws IOException {
    Written image = write(temp.resolve("image.tar"));
    Map<String, byte[]> files = read(image.archive());

    assertThat(JSON.readTree(files.get("oci-layout")).get("imageLayoutVersion").asText())
        .isEqualTo("1.0.0");
    JsonNode index = JSON.readTree(files.get("index.json"));
    JsonNode descriptor = index.get("manifests").get(0);
    assertThat(descriptor.get("annotations").get("io.containerd.image.name").asText())
        .isEqualTo("registry.example/app:1.2.3");
    assertThat(descriptor.get("annotations").get("org.opencontainers.image.ref.name").asText())
        .isEqualTo("1.2.3");
    byte[] manifestBytes = blob(files, descriptor.get("digest").asText());
    assertThat(descriptor.get("size").asLong()).isEqualTo(manifestBytes.length);
    assertThat(descriptor.get("digest").asText()).isEqualTo(image.written().manifestDigest());

    JsonNode manifest = JSON.readTree(manifestBytes);
    assertThat(manifest.get("mediaType").asText()).isEqualTo(OciArchive.MANIFEST_TYPE);
    byte[] configBytes = blob(files, manifest.get("config").get("digest").asText());
    JsonNode config = JSON.readTree(configBytes);
    JsonNode layers = manifest.get("layers");
    assertThat(layers).hasSize(2);
    for (int i = 0; i < layers.size(); i++) {
      byte[] layer = blob(files, layers.get(i).get("digest").asText());
      assertThat(layers.get(i).get("size").asLong()).isEqualTo(layer.length);
      assertThat(layers.get(i).get("mediaType").asText()).isEqualTo(OciArchive.LAYER_TYPE);
      assertThat(config.get("rootfs").get("diff_ids").get(i).asText())
          .isEqualTo(image.layers().get(i).diffId());
    }

    JsonNode docker = JSON.readTree(files.get("manifest.json")).get(0);
    assertThat(docker.get("RepoTags").get(0).asText()).isEqualTo("registry.example/app:1.2.3");
    assertThat(docker.get("Config").asText())
        .isEqualTo(OciArchive.blobPath(manifest.get("config").get("digest").asText()));
    assertThat(docker.get("Layers").get(1).asText())
        .isEqualTo(OciArchive.blobPath(layers.get(1).get("digest").asText()));
  }

  @Test
  void theSameImageIsTheSameFile() throws IOException {
    Written one = write(temp.resolve("one.tar"));
    Written two = write(temp.resolve("two.tar"));
    assertThat(Files.readAllBytes(one.archive())).isEqualTo(Files.readAllBytes(two.archive()));
  }

  private record Written(Path archive, OciArchive.Written written, List<Layer> layers) {}

  private Written write(Path archive) throws IOException {
    Path tree = Files.createDirectories(temp.resolve("tree-" + archive.getFileName()));
    Files.createDirectories(tree.resolve("opt/app"));
    Files.writeString(tree.resolve("opt/app/app.jar"), "jar");
    Path other = Files.createDirectories(temp.resolve("other-" + archive.getFileName()));
    Files.writeString(other.resolve("etc-file"), "x");
    LayerWriter writer = new LayerWriter(Map.of());
    Path blobs = temp.resolve("blobs-" + archive.getFileName());
    List<Layer> layers = List.of(writer.write("a", tree, blobs), writer.write("b", other, blobs));
    Map<String, Object> config =
        ImageConfig.of(ImageRecipe.agent(), "1.2.3", layers, "17.0.15", List.of("libc6=2.36"));
    return new Written(
        archive, OciArchive.write(archive, "registry.example/app:1.2.3", layers, config), layers);
  }

  private static byte[] blob(Map<String, byte[]> files, String digest) {
    byte[] bytes = files.get(OciArchive.blobPath(digest));
    assertThat(bytes).as("blob " + digest).isNotNull();
    assertThat(OciArchive.digest(bytes)).isEqualTo(digest);
    return bytes;
  }

  static Map<String, byte[]> read(Path archive) throws IOException {
    Map<String, byte[]> files = new HashMap<>();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(archive))) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        if (!e.isDirectory()) {
          files.put(e.getName(), tar.readAllBytes());
        }
      }
    }
    return files;
  }
}
