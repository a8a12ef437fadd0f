package dev.sluice.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code metav1.Time} fields of built-in objects as kube-apiserver 1.32 stores them: it decodes
 * them with Go's {@code time.Parse(time.RFC3339, ...)}, which accepts a fraction of a second, and
 * encodes them with {@code time.RFC3339}, which has none — so a fraction is accepted and cut off,
 * and a value that is not RFC 3339 is refused. Custom resources are unstructured: their timestamps
 * are stored as sent (their CRD schema's {@code format: date-time} accepts a fraction), so this
 * applies to the core API group only.
 */
final class MetaTimes {
  /** Fields of core/v1 objects typed metav1.Time (MicroTime fields such as eventTime are not). */
  static final Set<String> FIELDS =
      Set.of(
          "lastTransitionTime",
          "lastProbeTime",
          "lastHeartbeatTime",
          "firstTimestamp",
          "lastTimestamp");

  private MetaTimes() {}

  /**
   * {@code node} (the value of field {@code name}, or of an array entry when name is null) with
   * every metav1.Time in it cut to the second, in place where it can be; the node to use.
   */
  static JsonNode truncate(JsonNode node, @Nullable String name, String where) throws Refusal {
    if (node.isTextual() && name != null && FIELDS.contains(name)) {
      return TextNode.valueOf(seconds(node.asText(), where));
    }
    if (node instanceof ObjectNode object) {
      for (Map.Entry<String, JsonNode> field : new ArrayList<>(object.properties())) {
        String at = where.isEmpty() ? field.getKey() : where + "." + field.getKey();
        object.set(field.getKey(), truncate(field.getValue(), field.getKey(), at));
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, truncate(array.get(i), null, where + "[" + i + "]"));
      }
    }
    return node;
  }

  private static String seconds(String value, String where) throws Refusal {
    try {
      return OffsetDateTime.parse(value).toInstant().truncatedTo(ChronoUnit.SECONDS).toString();
    } catch (DateTimeParseException e) {
      throw Refusal.invalid(
          where + ": Invalid value: \"" + value + "\": expected an RFC 3339 date-time");
    }
  }
}
