package dev.sluice.api.validation;

/**
 * One thing wrong with a field, in the API server's words ({@code field.Error} of
 * k8s.io/apimachinery): {@code spec.listener.port: Invalid value: 70000: spec.listener.port in body
 * should be less than or equal to 65535}.
 *
 * @param field the field path, e.g. {@code spec.rules[1].backend}
 * @param type what kind of error
 * @param value the value as the API server shows it ({@code "0%"} quoted, {@code 7} bare, the
 *     schema type {@code "object"} for a CEL rule on an object); empty when the type shows none
 * @param detail the sentence after the value
 */
public record FieldError(String field, Type type, String value, String detail) {

  /** The error types the checks produce, with the API server's cause reason and wording. */
  public enum Type {
    REQUIRED("FieldValueRequired", "Required value", false),
    INVALID("FieldValueInvalid", "Invalid value", true),
    TYPE_INVALID("FieldValueTypeInvalid", "Invalid value", true),
    NOT_SUPPORTED("FieldValueNotSupported", "Unsupported value", true),
    TOO_LONG("FieldValueTooLong", "Too long", false),
    TOO_MANY("FieldValueTooMany", "Too many", true),
    FORBIDDEN("FieldValueForbidden", "Forbidden", false),
    DUPLICATE("FieldValueDuplicate", "Duplicate value", true);

    private final String reason;
    private final String words;
    private final boolean showsValue;

    Type(String reason, String words, boolean showsValue) {
      this.reason = reason;
      this.words = words;
      this.showsValue = showsValue;
    }

    /** The {@code causes[].reason} of the API server's Status. */
    public String reason() {
      return reason;
    }
  }

  /** The message without the field: {@code Invalid value: "object": ...}. */
  public String message() {
    String head = type.showsValue ? type.words + ": " + value : type.words;
    return detail.isEmpty() ? head : head + ": " + detail;
  }

  @Override
  public String toString() {
    return field + ": " + message();
  }

  /** A value as the API server prints it: strings quoted, numbers and booleans bare. */
  static String shown(com.fasterxml.jackson.databind.JsonNode value) {
    if (value.isTextual()) {
      return quoted(value.asText());
    }
    if (value.isObject()) {
      return quoted("object");
    }
    if (value.isArray()) {
      return quoted("array");
    }
    return value.toString();
  }

  /** {@code text} in double quotes, escaped as Go's %q would for plain text. */
  public static String quoted(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
