package dev.sluice.operator.pods;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.api.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The agent health a pod's sidecar reported, kept in the {@code sluice.dev/agent-health}
 * annotation: per agent (by its name in the sidecar config), endpoints known and endpoints passing
 * SPOP health checks.
 */
public final class AgentHealthRecord {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /** One agent as one sidecar sees it. */
  public record Endpoints(int endpoints, int available) {}

  private AgentHealthRecord() {}

  /** The pod's report, empty when it has none (or an unreadable one). */
  public static Map<String, Endpoints> of(Pod pod) {
    Map<String, String> a = pod.getMetadata().getAnnotations();
    String text = a == null ? null : a.get(Labels.AGENT_HEALTH);
    if (text == null) {
      return Map.of();
    }
    try {
      return parse(JSON.readTree(text));
    } catch (IOException e) {
      return Map.of();
    }
  }

  /** Reads {@code {"<agent>": {"endpoints": n, "available": m}}}; other shapes are skipped. */
  public static Map<String, Endpoints> parse(@Nullable JsonNode node) {
    Map<String, Endpoints> out = new LinkedHashMap<>();
    if (node == null || !node.isObject()) {
      return out;
    }
    node.properties()
        .forEach(
            e -> {
              JsonNode v = e.getValue();
              if (v.isObject() && v.path("endpoints").isInt() && v.path("available").isInt()) {
                out.put(
                    e.getKey(),
                    new Endpoints(v.get("endpoints").asInt(), v.get("available").asInt()));
              }
            });
    return out;
  }

  /** The annotation value for {@code health}. */
  public static String write(Map<String, Endpoints> health) {
    try {
      return JSON.writeValueAsString(health);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
