package dev.sluice.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The structural openAPIV3Schema checks of the API server (kube-openapi's validator as
 * apiextensions reports it): type, required, enum, minimum/maximum, pattern, min/maxLength,
 * min/maxItems, with its messages.
 */
final class SchemaCheck {
  private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

  private SchemaCheck() {}

  /** Every structural error of {@code value} (at {@code path}) against {@code schema}. */
  static List<FieldError> check(JsonNode schema, JsonNode value, String path) {
    List<FieldError> errors = new ArrayList<>();
    walk(schema, value, path, errors);
    return errors;
  }

  private static void walk(JsonNode schema, JsonNode value, String path, List<FieldError> out) {
    if (value.isNull() && schema.path("nullable").asBoolean(false)) {
      return;
    }
    if (!typeMatches(schema, value, path, out)) {
      return;
    }
    enumeration(schema, value, path, out);
    if (value.isNumber()) {
      bounds(schema, value, path, out);
    } else if (value.isTextual()) {
      text(schema, value.asText(), path, out);
    } else if (value.isArray()) {
      items(schema, value, path, out);
    } else if (value.isObject()) {
      properties(schema, value, path, out);
    }
  }

  private static boolean typeMatches(
      JsonNode schema, JsonNode value, String path, List<FieldError> out) {
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
      if (value.isIntegralNumber() || value.isTextual()) {
        return true;
      }
      out.add(typeError(path, value, "integer or string"));
      return false;
    }
    String type = schema.path("type").asText("");
    boolean ok =
        switch (type) {
          case "object" -> value.isObject();
          case "array" -> value.isArray();
          case "string" -> value.isTextual();
          case "integer" -> value.isIntegralNumber();
          case "number" -> value.isNumber();
          case "boolean" -> value.isBoolean();
          default -> true;
        };
    if (!ok) {
      out.add(typeError(path, value, type));
    }
    return ok;
  }

  private static FieldError typeError(String path, JsonNode value, String expected) {
    String actual = typeName(value);
    return new FieldError(
        path,
        FieldError.Type.TYPE_INVALID,
        FieldError.quoted(actual),
        path + " in body must be of type " + expected + ": " + FieldError.quoted(actual));
  }

  private static String typeName(JsonNode value) {
    if (value.isNull()) {
      return "null";
    }
    if (value.isIntegralNumber()) {
      return "integer";
    }
    return value.isNumber()
        ? "number"
        : value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static void enumeration(
      JsonNode schema, JsonNode value, String path, List<FieldError> out) {
    JsonNode allowed = schema.get("enum");
    if (allowed == null) {
      return;
    }
    for (JsonNode option : allowed) {
      if (option.equals(value)) {
        return;
      }
    }
    List<String> shown = new ArrayList<>();
    allowed.forEach(option -> shown.add(FieldError.shown(option)));
    out.add(
        new FieldError(
            path,
            FieldError.Type.NOT_SUPPORTED,
            FieldError.shown(value),
            "supported values: " + String.join(", ", shown)));
  }

  private static void bounds(JsonNode schema, JsonNode value, String path, List<FieldError> out) {
    double number = value.asDouble();
    JsonNode max = schema.get("maximum");
    if (max != null && number > max.asDouble()) {
      out.add(invalid(path, value, "should be less than or equal to " + plain(max.asDouble())));
    }
    JsonNode min = schema.get("minimum");
    if (min != null && number < min.asDouble()) {
      out.add(invalid(path, value, "should be greater than or equal to " + plain(min.asDouble())));
    }
  }

  private static void text(JsonNode schema, String text, String path, List<FieldError> out) {
    int length = text.codePointCount(0, text.length());
    JsonNode max = schema.get("maxLength");
    if (max != null && length > max.asInt()) {
      out.add(
          new FieldError(
              path,
              FieldError.Type.TOO_LONG,
              "",
              "may not be more than " + max.asInt() + " bytes"));
    }
    JsonNode min = schema.get("minLength");
    if (min != null && length < min.asInt()) {
      out.add(
          invalid(
              path, FieldError.quoted(text), "should be at least " + min.asInt() + " chars long"));
    }
    JsonNode pattern = schema.get("pattern");
    if (pattern != null
        && !PATTERNS.computeIfAbsent(pattern.asText(), Pattern::compile).matcher(text).find()) {
      out.add(invalid(path, FieldError.quoted(text), "should match '" + pattern.asText() + "'"));
    }
  }

  private static void items(JsonNode schema, JsonNode value, String path, List<FieldError> out) {
    JsonNode max = schema.get("maxItems");
    if (max != null && value.size() > max.asInt()) {
      out.add(
          new FieldError(
              path,
              FieldError.Type.TOO_MANY,
              Integer.toString(value.size()),
              "must have at most " + max.asInt() + " items"));
    }
    JsonNode min = schema.get("minItems");
    if (min != null && value.size() < min.asInt()) {
      out.add(
          invalid(
              path,
              Integer.toString(value.size()),
              "should have at least " + min.asInt() + " items"));
    }
    if (schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        walk(schema.get("items"), value.get(i), FieldPaths.item(path, i), out);
      }
    }
  }

  private static void properties(
      JsonNode schema, JsonNode value, String path, List<FieldError> out) {
    for (JsonNode required : schema.path("required")) {
      if (!value.has(required.asText())) {
        out.add(
            new FieldError(
                FieldPaths.child(path, required.asText()), FieldError.Type.REQUIRED, "", ""));
      }
    }
    JsonNode properties = schema.path("properties");
    JsonNode additional = schema.path("additionalProperties");
    for (Iterator<Map.Entry<String, JsonNode>> it = value.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode child = properties.get(field.getKey());
      if (child == null && additional.isObject()) {
        child = additional;
      }
      if (child != null) {
        walk(child, field.getValue(), FieldPaths.child(path, field.getKey()), out);
      }
    }
  }

  private static FieldError invalid(String path, JsonNode value, String should) {
    return invalid(path, FieldError.shown(value), should);
  }

  private static FieldError invalid(String path, String shownValue, String should) {
    return new FieldError(path, FieldError.Type.INVALID, shownValue, path + " in body " + should);
  }

  /** 65535.0 as 65535, as Go prints the schema's float64 bounds. */
  private static String plain(double bound) {
    return bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
  }
}
