package dev.sluice.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Test objects from YAML, and where the repository is. */
final class Objects {
  static final Path ROOT = Path.of(System.getProperty("sluice.root", "../.."));
  private static final YAMLMapper YAML = new YAMLMapper();

  private Objects() {}

  static ObjectNode yaml(String text) {
    try {
      return (ObjectNode) YAML.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode tree(String text) {
    return yaml(text);
  }
}
