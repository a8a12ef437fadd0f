package dev.sluice.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validators for Sluice's CRDs, read from the same files the API server gets (sluice-crds'
 * META-INF/fabric8, generated from the API types and committed as crds/*.yml).
 */
public final class SluiceCrds {
  /** The CRD files, as sluice-crds ships them. */
  public static final List<String> FILES =
      List.of("proxyroutes.sluice.dev-v1.yml", "offloadagents.sluice.dev-v1.yml");

  private static final YAMLMapper YAML = new YAMLMapper();

  private SluiceCrds() {}

  /** Loaded once, on first use: compiling every rule takes a few hundred milliseconds. */
  private static final class Holder {
    static final Map<String, CrdValidator> BY_KIND = load();
  }

  /** The validator of a kind ({@code ProxyRoute}, {@code OffloadAgent}). */
  public static CrdValidator forKind(String kind) {
    CrdValidator validator = Holder.BY_KIND.get(kind);
    if (validator == null) {
      throw new IllegalArgumentException(
          "kind: " + kind + " (expected: one of " + Holder.BY_KIND.keySet() + ")");
    }
    return validator;
  }

  /** Every validator, by kind. */
  public static Map<String, CrdValidator> all() {
    return Holder.BY_KIND;
  }

  /** Parses one CRD file from the classpath. */
  public static JsonNode crd(String file) {
    String resource = "META-INF/fabric8/" + file;
    try (InputStream in = SluiceCrds.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            resource + " is not on the classpath (expected: sluice-crds)");
      }
      return YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, CrdValidator> load() {
    Map<String, CrdValidator> out = new LinkedHashMap<>();
    for (String file : FILES) {
      CrdValidator validator = CrdValidator.of(crd(file));
      out.put(validator.kind(), validator);
    }
    return Map.copyOf(out);
  }
}
