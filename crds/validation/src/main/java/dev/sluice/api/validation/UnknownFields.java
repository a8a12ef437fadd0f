package dev.sluice.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pruning, as the API server does it for a structural schema: fields the schema does not declare
 * are dropped (and named, for the warning or, under {@code fieldValidation=Strict}, the error).
 * {@code apiVersion}, {@code kind} and {@code metadata} are always known at the root, and kept
 * whole even where a CRD declares {@code metadata} as a bare object (Gateway API's do); {@code
 * x-kubernetes-preserve-unknown-fields} keeps a subtree as it is.
 */
final class UnknownFields {
  private static final Set<String> ROOT = Set.of("apiVersion", "kind", "metadata");

  private UnknownFields() {}

  /** Drops undeclared fields from {@code object} in place; returns their paths, in order. */
  static List<String> prune(JsonNode rootSchema, ObjectNode object) {
    List<String> unknown = new ArrayList<>();
    walk(rootSchema, object, "", unknown);
    return unknown;
  }

  private static void walk(JsonNode schema, JsonNode value, String path, List<String> unknown) {
    if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
      return;
    }
    if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        walk(schema.get("items"), value.get(i), FieldPaths.item(path, i), unknown);
      }
      return;
    }
    if (!value.isObject()) {
      return;
    }
    JsonNode properties = schema.path("properties");
    JsonNode additional = schema.path("additionalProperties");
    for (Iterator<Map.Entry<String, JsonNode>> it = value.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = field.getKey();
      String at = FieldPaths.child(path, key);
      if (path.isEmpty() && ROOT.contains(key)) {
        continue; // ObjectMeta and the type fields: never pruned, whatever the schema declares
      }
      if (properties.has(key)) {
        walk(properties.get(key), field.getValue(), at, unknown);
      } else if (additional.isObject()) {
        walk(additional, field.getValue(), at, unknown);
      } else if (!additional.asBoolean(false)) {
        unknown.add(at);
        it.remove();
      }
    }
  }
}
