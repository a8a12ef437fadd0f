package dev.sluice.sidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the fields of a config document that its records do not have, walking the document beside
 * the record types (the contract is records whose component names are the field names). Each one
 * found is handed to a {@link Visitor} with its path, which decides whether it is removed.
 */
final class UnknownFields {
  private UnknownFields() {}

  /** What to do with an unknown field. */
  interface Visitor {
    /**
     * Called once per unknown field; true removes it from the document.
     *
     * @param path where it is: {@code rules[0].mirror}
     * @param known the field names its object may have
     */
    boolean unknown(String path, List<String> known);
  }

  /** Walks {@code document} as a {@code type}, removing the unknown fields the visitor says to. */
  static void sweep(ObjectNode document, Class<?> type, Visitor visitor) {
    object(document, type, "", visitor);
  }

  private static void object(ObjectNode node, Class<?> type, String at, Visitor visitor) {
    Map<String, Type> components = new LinkedHashMap<>();
    for (RecordComponent c : type.getRecordComponents()) {
      components.put(c.getName(), c.getGenericType());
    }
    List<String> known = components.keySet().stream().sorted().toList();
    for (String name : new ArrayList<>(iterable(node))) {
      String path = at.isEmpty() ? name : at + "." + name;
      Type component = components.get(name);
      if (component == null) {
        if (visitor.unknown(path, known)) {
          node.remove(name);
        }
      } else {
        value(node.get(name), component, path, visitor);
      }
    }
  }

  private static void value(JsonNode value, Type type, String path, Visitor visitor) {
    if (type instanceof ParameterizedType generic
        && generic.getRawType() == List.class
        && value instanceof ArrayNode elements) {
      Type element = generic.getActualTypeArguments()[0];
      for (int i = 0; i < elements.size(); i++) {
        value(elements.get(i), element, path + "[" + i + "]", visitor);
      }
    } else if (type instanceof Class<?> record
        && record.isRecord()
        && value instanceof ObjectNode object) {
      object(object, record, path, visitor);
    }
    // Anything else is a scalar (or of the wrong shape, which binding reports with its path).
  }

  private static List<String> iterable(ObjectNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
