package dev.sluice.api.conversion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.validation.CrdValidator;
import dev.sluice.api.validation.SluiceCrds;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Converts a ProxyRoute, as the API server hands it over (JSON, defaulted for its version), to
 * another served version. Only {@code apiVersion}, {@code spec} and annotations change; the status
 * has one schema in both versions.
 *
 * <p>Exactness: when the canonical way back from the output would not give the input's spec, the
 * output carries the input's spec in the annotation {@code sluice.dev/conversion-<input version>}
 * with a hash of the output's spec. Converting back, that annotation is used while the hash still
 * matches (the object was not edited in between) and is removed from the result either way.
 */
public final class ProxyRouteConversion {
  public static final String GROUP = "sluice.dev";
  public static final String V1ALPHA1 = GROUP + "/v1alpha1";
  public static final String V1ALPHA2 = GROUP + "/v1alpha2";
  public static final List<String> VERSIONS = List.of(V1ALPHA1, V1ALPHA2);

  /** The annotation that keeps a spec of {@code version} ({@code v1alpha1} or {@code v1alpha2}). */
  public static String annotation(String apiVersion) {
    return GROUP + "/conversion-" + apiVersion.substring(apiVersion.indexOf('/') + 1);
  }

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private final CrdValidator schema;

  private ProxyRouteConversion(CrdValidator schema) {
    this.schema = schema;
  }

  /** With the defaults of the CRDs sluice-crds ships. */
  public static ProxyRouteConversion standard() {
    return new ProxyRouteConversion(SluiceCrds.forKind("ProxyRoute"));
  }

  /**
   * One rule in HTTPRoute's shape as the stored version's rule, converted as a whole route's are
   * (the rules of HTTPRoutes attached to a ProxyRoute take this way).
   *
   * @throws IllegalArgumentException naming the field and what was expected, when it cannot be
   *     converted
   */
  public static dev.sluice.api.v1alpha1.Rule toV1alpha1(dev.sluice.api.v1alpha2.Rule rule) {
    return ToV1alpha1.rule(rule);
  }

  /**
   * {@code object} as {@code desiredApiVersion}.
   *
   * @throws IllegalArgumentException naming the field, the value and what was expected, when the
   *     object is not a ProxyRoute of a served version or its spec cannot be converted
   */
  public ObjectNode convert(JsonNode object, String desiredApiVersion) {
    String from = object.path("apiVersion").asText("");
    check("apiVersion", from);
    check("desiredAPIVersion", desiredApiVersion);
    if (!object.path("kind").asText("").equals("ProxyRoute")) {
      throw new IllegalArgumentException(
          "kind: " + quoted(object.path("kind").asText("")) + " (expected: ProxyRoute)");
    }
    ObjectNode out = object.deepCopy();
    out.put("apiVersion", desiredApiVersion);
    if (from.equals(desiredApiVersion)) {
      return out;
    }
    ObjectNode annotations = annotations(out);
    JsonNode spec = defaulted(from, object.path("spec"));
    JsonNode kept = annotations.remove(annotation(desiredApiVersion));
    JsonNode converted = restored(kept, spec, desiredApiVersion);
    if (converted == null) {
      converted = defaulted(desiredApiVersion, canonical(spec, from));
      JsonNode back = defaulted(from, canonical(converted, desiredApiVersion));
      if (!back.equals(spec)) {
        ObjectNode keep = JSON.createObjectNode();
        keep.put("hash", hash(converted));
        keep.set("spec", spec);
        annotations.put(annotation(from), write(keep));
      }
    }
    out.set("spec", converted);
    if (annotations.isEmpty()) {
      ((ObjectNode) out.path("metadata")).remove("annotations");
    }
    return out;
  }

  /** The spec kept in the annotation, when it was kept for exactly this input; else null. */
  private @Nullable JsonNode restored(@Nullable JsonNode kept, JsonNode spec, String version) {
    if (kept == null || !kept.isTextual()) {
      return null;
    }
    try {
      JsonNode keep = JSON.readTree(kept.asText());
      if (!keep.path("hash").asText("").equals(hash(spec)) || !keep.path("spec").isObject()) {
        return null;
      }
      return defaulted(version, keep.get("spec"));
    } catch (JsonProcessingException e) {
      return null; // not ours, or edited by hand: the canonical conversion applies
    }
  }

  /** The canonical conversion of a spec of version {@code from} to the other one. */
  private static JsonNode canonical(JsonNode spec, String from) {
    return from.equals(V1ALPHA1)
        ? map(spec, dev.sluice.api.v1alpha1.ProxyRouteSpec.class, ToV1alpha2::spec)
        : map(spec, dev.sluice.api.v1alpha2.ProxyRouteSpec.class, ToV1alpha1::spec);
  }

  private static <I, O> JsonNode map(JsonNode spec, Class<I> type, Function<I, O> mapping) {
    I in;
    try {
      in = JSON.treeToValue(spec, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "spec: " + e.getOriginalMessage() + " (expected: a valid ProxyRoute spec)", e);
    }
    return JSON.valueToTree(mapping.apply(in));
  }

  private JsonNode defaulted(String apiVersion, JsonNode spec) {
    ObjectNode object = JSON.createObjectNode();
    object.put("apiVersion", apiVersion);
    object.put("kind", "ProxyRoute");
    object.set("spec", spec.deepCopy());
    return schema.defaulted(object).path("spec");
  }

  private static ObjectNode annotations(ObjectNode object) {
    JsonNode metadata = object.path("metadata");
    if (!metadata.isObject()) {
      metadata = object.putObject("metadata");
    }
    JsonNode annotations = metadata.path("annotations");
    return annotations.isObject()
        ? (ObjectNode) annotations
        : ((ObjectNode) metadata).putObject("annotations");
  }

  private static String hash(JsonNode spec) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(write(spec).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Keys sorted, so equal trees write and hash alike. */
  private static String write(JsonNode node) {
    try {
      return JSON.writeValueAsString(JSON.treeToValue(node, Object.class));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void check(String field, String apiVersion) {
    if (!VERSIONS.contains(apiVersion)) {
      throw new IllegalArgumentException(
          field + ": " + quoted(apiVersion) + " (expected: one of " + VERSIONS + ")");
    }
  }

  private static String quoted(String value) {
    return "\"" + value + "\"";
  }
}
