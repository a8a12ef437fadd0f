package dev.sluice.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Structural defaulting, as the API server applies it on every write (and read): a property with a
 * {@code default} that is absent (or null without {@code nullable}) gets the default, and the walk
 * goes on into it, so defaults inside defaults apply too. A null without {@code nullable} and
 * without a default is dropped (the server's PruneNonNullableNullsWithoutDefaults).
 */
final class SchemaDefaults {
  private SchemaDefaults() {}

  /** Applies {@code schema}'s defaults to {@code value}, in place. */
  static void apply(JsonNode schema, JsonNode value) {
    if (value.isObject()) {
      ObjectNode object = (ObjectNode) value;
      JsonNode properties = schema.path("properties");
      for (Iterator<Map.Entry<String, JsonNode>> it = properties.properties().iterator();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> property = it.next();
        JsonNode present = object.get(property.getKey());
        JsonNode fallback = property.getValue().get("default");
        boolean unset =
            present == null
                || (present.isNull() && !property.getValue().path("nullable").asBoolean(false));
        if (unset && fallback != null) {
          object.set(property.getKey(), fallback.deepCopy());
        } else if (unset && present != null) {
          object.remove(property.getKey());
        }
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = object.properties().iterator();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode child = properties.get(field.getKey());
        if (child == null && schema.path("additionalProperties").isObject()) {
          child = schema.get("additionalProperties");
        }
        if (child != null) {
          apply(child, field.getValue());
        }
      }
    } else if (value.isArray() && schema.has("items")) {
      for (JsonNode item : value) {
        apply(schema.get("items"), item);
      }
    }
  }
}
