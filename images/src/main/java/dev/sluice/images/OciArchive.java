package dev.sluice.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes an image as one tar that is both an OCI image layout ({@code oci-layout}, {@code
 * index.json}, {@code blobs/sha256/...}: {@code skopeo copy oci-archive:}, {@code ctr import},
 * {@code kind load image-archive}, Docker 25+) and a {@code docker save} archive (a {@code
 * manifest.json} naming the same blobs: {@code docker load}, older Docker). Entries are sorted and
 * timeless, so the same layers and config give the same file.
 */
public final class OciArchive {
  static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
  static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
  static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
  static final String INDEX_TYPE = "application/vnd.oci.image.index.v1+json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private OciArchive() {}

  /** What was written: the manifest's digest (the image's identity in a registry) and sizes. */
  public record Written(Path archive, String reference, String manifestDigest, long bytes) {}

  /**
   * Writes {@code archive} holding image {@code reference} ({@code registry/repository:tag}) made
   * of {@code layers} and {@code config} (the image config JSON, whose diff_ids must match).
   */
  public static Written write(
      Path archive, String reference, List<Layer> layers, Map<String, Object> config)
      throws IOException {
    byte[] configBytes = JSON.writeValueAsBytes(config);
    String configDigest = digest(configBytes);

    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", MANIFEST_TYPE);
    manifest.put("config", descriptor(CONFIG_TYPE, configDigest, configBytes.length));
    List<Object> layerDescriptors = new ArrayList<>();
    for (Layer layer : layers) {
      layerDescriptors.add(descriptor(LAYER_TYPE, layer.digest(), layer.size()));
    }
    manifest.put("layers", layerDescriptors);
    byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
    String manifestDigest = digest(manifestBytes);

    String tag = reference.substring(reference.lastIndexOf(':') + 1);
    Map<String, Object> manifestDescriptor =
        descriptor(MANIFEST_TYPE, manifestDigest, manifestBytes.length);
    manifestDescriptor.put(
        "annotations",
        new TreeMap<>(
            Map.of(
                "io.containerd.image.name", reference, "org.opencontainers.image.ref.name", tag)));
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2);
    index.put("mediaType", INDEX_TYPE);
    index.put("manifests", List.of(manifestDescriptor));

    List<String> layerPaths = new ArrayList<>();
    for (Layer layer : layers) {
      layerPaths.add(blobPath(layer.digest()));
    }
    Map<String, Object> dockerManifest = new LinkedHashMap<>();
    dockerManifest.put("Config", blobPath(configDigest));
    dockerManifest.put("RepoTags", List.of(reference));
    dockerManifest.put("Layers", layerPaths);

    Path partial = archive.resolveSibling(archive.getFileName() + ".partial");
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(file, "UTF-8")) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      directory(tar, "blobs/");
      directory(tar, "blobs/sha256/");
      List<String> written = new ArrayList<>();
      for (Layer layer : layers) {
        String path = blobPath(layer.digest());
        if (!written.contains(path)) {
          written.add(path);
          file(tar, path, layer.blob());
        }
      }
      bytes(tar, blobPath(configDigest), configBytes);
      bytes(tar, blobPath(manifestDigest), manifestBytes);
      bytes(tar, "index.json", JSON.writeValueAsBytes(index));
      bytes(tar, "manifest.json", JSON.writeValueAsBytes(List.of(dockerManifest)));
      bytes(
          tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
      tar.finish();
    }
    Files.move(partial, archive, StandardCopyOption.REPLACE_EXISTING);
    return new Written(archive, reference, manifestDigest, Files.size(archive));
  }

  static String digest(byte[] bytes) {
    return "sha256:" + HexFormat.of().formatHex(LayerWriter.sha256().digest(bytes));
  }

  static String blobPath(String digest) {
    return "blobs/sha256/" + digest.substring("sha256:".length());
  }

  private static Map<String, Object> descriptor(String mediaType, String digest, long size) {
    Map<String, Object> descriptor = new LinkedHashMap<>();
    descriptor.put("mediaType", mediaType);
    descriptor.put("digest", digest);
    descriptor.put("size", size);
    return descriptor;
  }

  private static void directory(TarArchiveOutputStream tar, String name) throws IOException {
    TarArchiveEntry entry = entry(name);
    entry.setMode(0755);
    tar.putArchiveEntry(entry);
    tar.closeArchiveEntry();
  }

  private static void file(TarArchiveOutputStream tar, String name, Path source)
      throws IOException {
    TarArchiveEntry entry = entry(name);
    entry.setSize(Files.size(source));
    tar.putArchiveEntry(entry);
    Files.copy(source, tar);
    tar.closeArchiveEntry();
  }

  private static void bytes(TarArchiveOutputStream tar, String name, byte[] content)
      throws IOException {
    TarArchiveEntry entry = entry(name);
    entry.setSize(content.length);
    tar.putArchiveEntry(entry);
    tar.write(content);
    tar.closeArchiveEntry();
  }

  private static TarArchiveEntry entry(String name) {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setMode(name.endsWith("/") ? 0755 : 0644);
    entry.setUserId(0);
    entry.setGroupId(0);
    entry.setUserName("");
    entry.setGroupName("");
    entry.setModTime(LayerWriter.MODIFIED_SECONDS * 1000);
    return entry;
  }
}
