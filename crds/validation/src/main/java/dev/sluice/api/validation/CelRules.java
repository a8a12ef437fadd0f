package dev.sluice.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code x-kubernetes-validations} rules of one schema, compiled once with CEL's standard
 * library and macros ({@code has}, {@code all}, {@code exists}, {@code exists_one}, {@code filter},
 * {@code map}) and {@code self} typed from the schema. A function the API server's CEL environment
 * has beyond that (Kubernetes' extension libraries) is not declared: a rule using one fails to
 * compile, and so the CRD fails to load, until it is added here.
 *
 * <p>Evaluation follows the API server: a rule runs where its node is present, with {@code self}
 * that node's value; a transition rule (one naming {@code oldSelf}) runs only on an update that has
 * an old value at that node (reached through object fields; list items do not correlate); {@code
 * message}, {@code messageExpression}, {@code reason} and {@code fieldPath} shape the error.
 */
final class CelRules {
  private static final Set<String> KEYS =
      Set.of("rule", "message", "messageExpression", "reason", "fieldPath");
  // Kubernetes' CEL environment has the strings extension library (split, lowerAscii, ...).
  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.legacyCelRuntimeBuilder().addLibraries(CelExtensions.strings()).build();

  /** One compiled rule and how its failure is reported. */
  record Rule(
      String rule,
      String message,
      CelRuntime.Program program,
      CelRuntime.@Nullable Program messageExpression,
      boolean transition,
      String fieldPath,
      FieldError.Type type,
      String nodeType) {}

  private final IdentityHashMap<JsonNode, List<Rule>> bySchema = new IdentityHashMap<>();

  private CelRules() {}

  /**
   * Compiles every rule under {@code rootSchema}.
   *
   * @throws IllegalArgumentException naming each rule that does not compile, and why
   */
  static CelRules compile(String kind, JsonNode rootSchema) {
    SchemaTypes types = new SchemaTypes(kind, rootSchema);
    CelCompiler base =
        CelCompilerFactory.standardCelCompilerBuilder()
            .setTypeProvider(types.provider())
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addLibraries(CelExtensions.strings())
            .build();
    CelRules rules = new CelRules();
    List<String> problems = new ArrayList<>();
    rules.collect(base, types, rootSchema, "", problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          kind + ": x-kubernetes-validations that do not compile:\n" + String.join("\n", problems));
    }
    return rules;
  }

  /** Every compiled rule, in schema order. */
  List<Rule> all() {
    List<Rule> out = new ArrayList<>();
    bySchema.values().forEach(out::addAll);
    return out;
  }

  private void collect(
      CelCompiler base, SchemaTypes types, JsonNode schema, String path, List<String> problems) {
    JsonNode validations = schema.get("x-kubernetes-validations");
    if (validations != null) {
      CelType self = types.of(schema);
      CelCompiler compiler =
          base.toCompilerBuilder().addVar("self", self).addVar("oldSelf", self).build();
      List<Rule> compiled = new ArrayList<>();
      for (JsonNode entry : validations) {
        try {
          compiled.add(compileOne(compiler, schema, entry));
        } catch (IllegalArgumentException e) {
          problems.add("  at " + (path.isEmpty() ? "<root>" : path) + ": " + e.getMessage());
        }
      }
      bySchema.put(schema, compiled);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it =
            schema.path("properties").properties().iterator();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> property = it.next();
      collect(
          base, types, property.getValue(), FieldPaths.child(path, property.getKey()), problems);
    }
    if (schema.has("items")) {
      collect(base, types, schema.get("items"), path + "[*]", problems);
    }
    if (schema.path("additionalProperties").isObject()) {
      collect(base, types, schema.get("additionalProperties"), path + "[*]", problems);
    }
  }

  private static Rule compileOne(CelCompiler compiler, JsonNode schema, JsonNode entry) {
    String text = entry.path("rule").asText("");
    for (Iterator<String> keys = entry.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "rule " + FieldError.quoted(text) + ": " + key + " is not supported here");
      }
    }
    CelRuntime.Program program = program(compiler, text, SimpleType.BOOL);
    CelRuntime.Program messageExpression =
        entry.has("messageExpression")
            ? program(compiler, entry.get("messageExpression").asText(), SimpleType.STRING)
            : null;
    return new Rule(
        text,
        entry.path("message").asText("failed rule: " + text),
        program,
        messageExpression,
        referencesOldSelf(text),
        entry.path("fieldPath").asText(""),
        reason(entry.path("reason").asText("FieldValueInvalid")),
        schema.path("type").asText("object"));
  }

  private static CelRuntime.Program program(CelCompiler compiler, String text, CelType result) {
    try {
      CelValidationResult checked = compiler.compile(text);
      if (checked.hasError()) {
        throw new IllegalArgumentException(
            "rule " + FieldError.quoted(text) + ": " + checked.getErrorString());
      }
      if (!checked.getAst().getResultType().equals(result)) {
        throw new IllegalArgumentException(
            "rule "
                + FieldError.quoted(text)
                + ": must evaluate to "
                + result.name()
                + ", not "
                + checked.getAst().getResultType().name());
      }
      return RUNTIME.createProgram(checked.getAst());
    } catch (dev.cel.common.CelValidationException | CelEvaluationException e) {
      throw new IllegalArgumentException("rule " + FieldError.quoted(text) + ": " + e.getMessage());
    }
  }

  private static boolean referencesOldSelf(String text) {
    return text.matches("(?s).*\\boldSelf\\b.*");
  }

  private static FieldError.Type reason(String reason) {
    for (FieldError.Type type : FieldError.Type.values()) {
      if (type.reason().equals(reason)
          && Set.of(
                  "FieldValueInvalid",
                  "FieldValueForbidden",
                  "FieldValueRequired",
                  "FieldValueDuplicate")
              .contains(reason)) {
        return type;
      }
    }
    throw new IllegalArgumentException(
        "reason " + FieldError.quoted(reason) + " is not one the API server accepts");
  }

  /** Every rule failure under {@code value} (at {@code path}); {@code old}: the stored value. */
  List<FieldError> evaluate(JsonNode schema, JsonNode value, @Nullable JsonNode old, String path) {
    List<FieldError> out = new ArrayList<>();
    walk(schema, value, old, path, out);
    return out;
  }

  private void walk(
      JsonNode schema, JsonNode value, @Nullable JsonNode old, String path, List<FieldError> out) {
    List<Rule> rules = bySchema.get(schema);
    if (rules != null) {
      Object self = celValue(schema, value);
      Object oldSelf = old == null ? null : celValue(schema, old);
      for (Rule rule : rules) {
        if (rule.transition() && oldSelf == null) {
          continue;
        }
        check(rule, self, oldSelf, path, out);
      }
    }
    if (value.isObject()) {
      JsonNode properties = schema.path("properties");
      JsonNode additional = schema.path("additionalProperties");
      for (Iterator<Map.Entry<String, JsonNode>> it = value.properties().iterator();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode child = properties.has(field.getKey()) ? properties.get(field.getKey()) : null;
        if (child == null && additional.isObject()) {
          child = additional;
        }
        if (child != null) {
          JsonNode oldChild = old != null && old.isObject() ? old.get(field.getKey()) : null;
          walk(child, field.getValue(), oldChild, FieldPaths.child(path, field.getKey()), out);
        }
      }
    } else if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        walk(schema.get("items"), value.get(i), null, FieldPaths.item(path, i), out);
      }
    }
  }

  private static void check(
      Rule rule, Object self, @Nullable Object oldSelf, String path, List<FieldError> out) {
    Map<String, Object> vars = new HashMap<>();
    vars.put("self", self);
    if (oldSelf != null) {
      vars.put("oldSelf", oldSelf);
    }
    String at = path + rule.fieldPath();
    try {
      if (Boolean.TRUE.equals(rule.program().eval(vars))) {
        return;
      }
      out.add(
          new FieldError(at, rule.type(), FieldError.quoted(rule.nodeType()), message(rule, vars)));
    } catch (CelEvaluationException e) {
      out.add(
          new FieldError(
              at,
              FieldError.Type.INVALID,
              FieldError.quoted(rule.nodeType()),
              e.getMessage() + " evaluating rule: " + rule.message()));
    }
  }

  private static String message(Rule rule, Map<String, Object> vars) {
    if (rule.messageExpression() != null) {
      try {
        Object text = rule.messageExpression().eval(vars);
        if (text instanceof String s && !s.isBlank()) {
          return s;
        }
      } catch (CelEvaluationException e) {
        // the API server falls back to message (or the rule) as well
      }
    }
    return rule.message();
  }

  /** A JSON value as CEL sees it, without its schema (every object a map of its fields). */
  static Object celValue(JsonNode value) {
    return celValue(JsonNodeFactory.instance.objectNode(), value);
  }

  /**
   * A JSON value of {@code schema} as CEL sees it: objects as maps (an object with declared
   * properties by their escaped names, {@link CelNames}), integers as int, other numbers as double.
   */
  static Object celValue(JsonNode schema, JsonNode value) {
    if (value.isObject()) {
      JsonNode properties = schema.path("properties");
      JsonNode additional = schema.path("additionalProperties");
      boolean struct = properties.isObject() && !properties.isEmpty();
      Map<String, Object> map = new LinkedHashMap<>();
      value
          .properties()
          .forEach(
              f -> {
                JsonNode child =
                    properties.has(f.getKey())
                        ? properties.get(f.getKey())
                        : additional.isObject() ? additional : MissingNode.getInstance();
                map.put(
                    struct ? CelNames.escape(f.getKey()) : f.getKey(),
                    celValue(child, f.getValue()));
              });
      return map;
    }
    if (value.isArray()) {
      List<Object> list = new ArrayList<>(value.size());
      value.forEach(item -> list.add(celValue(schema.path("items"), item)));
      return list;
    }
    if (value.isTextual()) {
      return value.asText();
    }
    if (value.isIntegralNumber()) {
      return value.asLong();
    }
    if (value.isNumber()) {
      return value.asDouble();
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    return NullValue.NULL_VALUE;
  }
}
