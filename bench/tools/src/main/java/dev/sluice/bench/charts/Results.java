package dev.sluice.bench.charts;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The part of a bench/run.py results file the charts draw. */
public final class Results {
  /** A workload: an id (file name), a title and its figures. */
  public record Workload(String id, String title, List<Figure> figures) {}

  /** One figure: a name with its unit, whether higher is better, and a value per peer. */
  public record Figure(String name, boolean higherIsBetter, Map<String, Double> values) {}

  /**
   * Reads {@code {"workloads": [{"id", "title", "figures": [{"name", "better", "values": {peer:
   * number|null}}]}]}}; a peer without a number (not applicable) is left out of the figure.
   */
  public static List<Workload> workloads(JsonNode root) {
    JsonNode list = root.path("workloads");
    if (!list.isArray()) {
      throw new IllegalArgumentException(
          "results: \"workloads\" is " + list.getNodeType() + " (expected: an array)");
    }
    List<Workload> workloads = new ArrayList<>();
    for (JsonNode w : list) {
      List<Figure> figures = new ArrayList<>();
      for (JsonNode f : w.path("figures")) {
        Map<String, Double> values = new LinkedHashMap<>();
        f.path("values")
            .properties()
            .forEach(
                e -> {
                  if (e.getValue().isNumber()) {
                    values.put(e.getKey(), e.getValue().asDouble());
                  }
                });
        if (!values.isEmpty()) {
          figures.add(
              new Figure(
                  text(f, "name", w), !"lower".equals(f.path("better").asText("higher")), values));
        }
      }
      workloads.add(
          new Workload(text(w, "id", w), w.path("title").asText(text(w, "id", w)), figures));
    }
    return workloads;
  }

  private static String text(JsonNode node, String field, JsonNode context) {
    JsonNode value = node.path(field);
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new IllegalArgumentException(
          "results: \"" + field + "\" missing or not a string in " + context);
    }
    return value.asText();
  }

  private Results() {}
}
