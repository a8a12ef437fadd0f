package dev.sluice.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CEL type of every schema node, as the API server declares {@code self}: an object with
 * properties is a struct with exactly those fields (so {@code self.protocl} does not compile), a
 * map with additionalProperties, an array a list, int-or-string and preserved-unknown nodes dyn.
 */
final class SchemaTypes {
  private final Map<String, CelType> structs = new LinkedHashMap<>();
  private final IdentityHashMap<JsonNode, CelType> bySchema = new IdentityHashMap<>();

  SchemaTypes(String kind, JsonNode rootSchema) {
    declare(rootSchema, kind);
  }

  /** The type of {@code self} at this schema node (one of the root schema's nodes). */
  CelType of(JsonNode schema) {
    CelType type = bySchema.get(schema);
    if (type == null) {
      throw new IllegalArgumentException("not a node of this schema");
    }
    return type;
  }

  private CelType declare(JsonNode schema, String name) {
    CelType type = typeOf(schema, name);
    bySchema.put(schema, type);
    return type;
  }

  private CelType typeOf(JsonNode schema, String name) {
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false)
        || schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
      return SimpleType.DYN;
    }
    return switch (schema.path("type").asText("")) {
      case "string" -> SimpleType.STRING;
      case "integer" -> SimpleType.INT;
      case "number" -> SimpleType.DOUBLE;
      case "boolean" -> SimpleType.BOOL;
      case "array" ->
          schema.has("items")
              ? ListType.create(declare(schema.get("items"), name + ".@items"))
              : ListType.create(SimpleType.DYN);
      case "object" -> objectType(schema, name);
      default -> SimpleType.DYN;
    };
  }

  private CelType objectType(JsonNode schema, String name) {
    if (schema.path("additionalProperties").isObject()) {
      return MapType.create(
          SimpleType.STRING, declare(schema.get("additionalProperties"), name + ".@values"));
    }
    if (!schema.has("properties")) {
      return MapType.create(SimpleType.STRING, SimpleType.DYN);
    }
    ImmutableMap.Builder<String, CelType> fields = ImmutableMap.builder();
    for (Iterator<Map.Entry<String, JsonNode>> it =
            schema.get("properties").properties().iterator();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> property = it.next();
      fields.put(
          CelNames.escape(property.getKey()),
          declare(property.getValue(), name + "." + property.getKey()));
    }
    ImmutableMap<String, CelType> known = fields.buildOrThrow();
    StructType struct =
        StructType.create(name, known.keySet(), field -> Optional.ofNullable(known.get(field)));
    structs.put(name, struct);
    return struct;
  }

  /** The struct types, for the compiler to look up by name. */
  CelTypeProvider provider() {
    return new Structs(ImmutableMap.copyOf(structs));
  }

  @com.google.errorprone.annotations.Immutable
  private static final class Structs implements CelTypeProvider {
    private final ImmutableMap<String, CelType> byName;

    Structs(ImmutableMap<String, CelType> byName) {
      this.byName = byName;
    }

    @Override
    public ImmutableCollection<CelType> types() {
      return ImmutableList.copyOf(byName.values());
    }

    @Override
    public Optional<CelType> findType(String typeName) {
      return Optional.ofNullable(byName.get(typeName));
    }
  }
}
