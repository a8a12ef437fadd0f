package dev.sluice.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What kube-apiserver 1.32 does with a write of one custom resource kind, from the CRD's own text:
 * prune undeclared fields, apply defaults, then check the written part (spec on the resource,
 * status on the status subresource) against the structural schema and, when no type error blocks
 * them, the CEL rules.
 *
 * <p>Ratcheting, simplified: an update that leaves the checked part as it was stored passes, so an
 * object stored before a stricter CRD still takes status and metadata writes (the API server
 * ratchets per unchanged node; here it is all or nothing).
 */
public final class CrdValidator {
  private static final String BLOCKED =
      "some validation rules were not checked because the object was invalid; correct the"
          + " existing errors to complete validation";

  /**
   * True for the API server's notice that the CEL rules were skipped because of the other errors:
   * it names no field, and a user reading a condition is better told the errors themselves.
   */
  public static boolean rulesSkippedNotice(FieldError error) {
    return error.detail().equals(BLOCKED);
  }

  private final String kind;
  private final String group;
  private final String plural;
  private final String storageVersion;
  private final Map<String, Version> versions;

  private record Version(JsonNode schema, CelRules rules) {}

  /**
   * The result of admitting a write.
   *
   * @param object the object as it would be stored: pruned and defaulted
   * @param unknownFields the undeclared fields that were dropped, as paths
   * @param errors what refuses the write; empty when it is admitted
   */
  public record Admission(ObjectNode object, List<String> unknownFields, List<FieldError> errors) {}

  private CrdValidator(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    kind = spec.path("names").path("kind").asText();
    group = spec.path("group").asText();
    plural = spec.path("names").path("plural").asText();
    versions = new LinkedHashMap<>();
    String storage = "";
    for (JsonNode version : spec.path("versions")) {
      JsonNode schema = version.path("schema").path("openAPIV3Schema");
      String name = version.path("name").asText();
      versions.put(name, new Version(schema, CelRules.compile(kind + " " + name, schema)));
      if (version.path("storage").asBoolean(false)) {
        storage = name;
      }
    }
    if (versions.isEmpty()) {
      throw new IllegalArgumentException(kind + ": the CRD has no versions");
    }
    storageVersion = storage.isEmpty() ? versions.keySet().iterator().next() : storage;
  }

  /**
   * Reads a CustomResourceDefinition (parsed YAML or JSON) and compiles its rules.
   *
   * @throws IllegalArgumentException when a rule does not compile, naming it and why
   */
  public static CrdValidator of(JsonNode crd) {
    return new CrdValidator(crd);
  }

  public String kind() {
    return kind;
  }

  public String group() {
    return group;
  }

  public String plural() {
    return plural;
  }

  /** Every compiled CEL rule's text, over all versions. */
  public List<String> rules() {
    List<String> out = new ArrayList<>();
    versions.values().forEach(v -> v.rules().all().forEach(r -> out.add(r.rule())));
    return out;
  }

  /**
   * Admits a create or update as the API server does.
   *
   * @param proposed the object sent (or the result of applying a patch)
   * @param stored the stored object on an update, null on a create
   * @param statusSubresource whether the write is to the status subresource
   */
  public Admission admit(
      ObjectNode proposed, @Nullable JsonNode stored, boolean statusSubresource) {
    ObjectNode object = proposed.deepCopy();
    Version version = version(object);
    List<String> unknown = UnknownFields.prune(version.schema(), object);
    SchemaDefaults.apply(version.schema(), object);
    String part = statusSubresource ? "status" : "spec";
    // The API server defaults what it reads from storage too: compare like with like.
    JsonNode old = stored == null ? null : stored.deepCopy();
    if (old != null) {
      SchemaDefaults.apply(version.schema(), old);
    }
    JsonNode before = old == null ? null : old.get(part);
    List<FieldError> errors =
        before != null && before.equals(object.get(part))
            ? List.of()
            : check(version, object, part, old);
    return new Admission(object, unknown, errors);
  }

  /**
   * The errors the API server would refuse {@code object}'s spec with, defaults applied first (to a
   * copy) as they would have been on the way in; unknown fields are not looked for.
   */
  public List<FieldError> checkSpec(JsonNode object) {
    ObjectNode copy = object.deepCopy();
    Version version = version(copy);
    SchemaDefaults.apply(version.schema(), copy);
    return check(version, copy, "spec", null);
  }

  /**
   * A copy of {@code object} with its version's defaults applied, as the API server defaults what
   * it reads and what a conversion returns.
   */
  public ObjectNode defaulted(JsonNode object) {
    ObjectNode copy = object.deepCopy();
    SchemaDefaults.apply(version(copy).schema(), copy);
    return copy;
  }

  /** The Status message of a refusal: {@code ProxyRoute.sluice.dev "x" is invalid: ...}. */
  public String invalidMessage(String name, List<FieldError> errors) {
    List<String> each = errors.stream().map(FieldError::toString).toList();
    String all = each.size() == 1 ? each.get(0) : "[" + String.join(", ", each) + "]";
    return kind + "." + group + " " + FieldError.quoted(name) + " is invalid: " + all;
  }

  private List<FieldError> check(
      Version version, ObjectNode object, String part, @Nullable JsonNode stored) {
    // The whole object is checked (a root that requires spec still sees it on a status write);
    // only the errors of the part written count.
    List<FieldError> errors =
        new ArrayList<>(inPart(SchemaCheck.check(version.schema(), object, ""), part));
    boolean blocked =
        errors.stream()
            .anyMatch(
                e ->
                    e.type() == FieldError.Type.TYPE_INVALID
                        || e.type() == FieldError.Type.NOT_SUPPORTED);
    if (blocked) {
      errors.add(new FieldError("<nil>", FieldError.Type.INVALID, "\"null\"", BLOCKED));
    } else {
      errors.addAll(inPart(version.rules().evaluate(version.schema(), object, stored, ""), part));
    }
    return errors;
  }

  /** The errors at or under {@code part} ({@code spec} or {@code status}). */
  private static List<FieldError> inPart(List<FieldError> errors, String part) {
    return errors.stream()
        .filter(
            e ->
                e.field().equals(part)
                    || e.field().startsWith(part + ".")
                    || e.field().startsWith(part + "["))
        .toList();
  }

  private Version version(JsonNode object) {
    String apiVersion = object.path("apiVersion").asText("");
    String name = apiVersion.substring(apiVersion.indexOf('/') + 1);
    Version version = versions.get(name);
    return version != null
        ? version
        : java.util.Objects.requireNonNull(versions.get(storageVersion));
  }
}
