package dev.sluice.operator.rollout;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The operator's log line for a rollout step: its fields as SLF4J key-value pairs (top-level fields
 * of a JSON line, see {@code JsonLogEncoder}), and the same fields in the message, logfmt style,
 * for the text format: {@code rollout step=assigned route=shop/web pod=shop/web-1 revision=…}.
 */
public final class RolloutLog {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutLog.class);
  static final String MESSAGE = "rollout";

  private RolloutLog() {}

  /**
   * Logs {@code step} of a pod in {@code namespace} whose config renders {@code routes} ({@code
   * <namespace>/<name>}; none when it renders none).
   */
  public static void write(String namespace, Collection<String> routes, PodStep step) {
    Map<String, String> fields = fields(namespace, routes, step);
    LoggingEventBuilder line = LOG.atLevel(step.step().level()).setMessage(text(fields));
    for (Map.Entry<String, String> field : fields.entrySet()) {
      line = line.addKeyValue(field.getKey(), field.getValue());
    }
    line.log();
  }

  /**
   * The line's fields, in order: the step; the route ({@code ns/name}; several sorted and
   * comma-separated; left out when the config renders none); the pod ({@code ns/name}); the
   * revision; and the previous revision and the reason when there are.
   */
  static Map<String, String> fields(String namespace, Collection<String> routes, PodStep step) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("step", step.step().key());
    if (!routes.isEmpty()) {
      fields.put("route", routes.stream().sorted().collect(Collectors.joining(",")));
    }
    fields.put("pod", namespace + "/" + step.pod());
    fields.put("revision", step.revision());
    if (step.previousRevision() != null) {
      fields.put("previousRevision", step.previousRevision());
    }
    if (step.reason() != null) {
      fields.put("reason", step.reason());
    }
    return fields;
  }

  /** {@code rollout key=value ...}; a value with a space, quote, {@code =} or newline is quoted. */
  static String text(Map<String, String> fields) {
    StringBuilder out = new StringBuilder(MESSAGE);
    fields.forEach((key, value) -> out.append(' ').append(key).append('=').append(value(value)));
    return out.toString();
  }

  private static String value(String value) {
    if (!value.isEmpty() && value.chars().noneMatch(c -> c <= ' ' || c == '"' || c == '=')) {
      return value;
    }
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
