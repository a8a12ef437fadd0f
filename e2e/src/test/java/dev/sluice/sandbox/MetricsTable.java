package dev.sluice.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tables of docs/metrics.md, read: under each {@code ## } heading, one row per metric family
 * (or, for a name ending in {@code *}, per prefix of families): its names, type, labels and the
 * dashboard panels that use it.
 */
final class MetricsTable {
  /**
   * One row.
   *
   * @param section the heading it is under (Sidecar, Operator)
   * @param names the families it documents; a name ending in {@code *} is a prefix
   * @param type counter, gauge, histogram, summary (or the cell's text)
   * @param labels the label names; null when the cell names none in backticks ("various")
   * @param panels the dashboard panels' titles, empty for "—"
   */
  record Row(
      String section, List<String> names, String type, Set<String> labels, Set<String> panels) {
    boolean isPrefix() {
      return names.get(0).endsWith("*");
    }
  }

  private static final Pattern CODE = Pattern.compile("`([^`]+)`");

  private MetricsTable() {}

  static List<Row> read(Path doc) throws IOException {
    List<Row> rows = new ArrayList<>();
    String section = "";
    for (String line : Files.readAllLines(doc)) {
      if (line.startsWith("## ")) {
        section = line.substring(3).trim();
      } else if (line.startsWith("| `")) {
        String[] cells = line.split("\\|");
        if (cells.length != 7) {
          throw new IllegalArgumentException(
              doc + ": a row of " + (cells.length - 1) + " cells (expected: 6): " + line);
        }
        List<String> names = code(cells[1]);
        List<String> labels = code(cells[3]);
        String panels = cells[6].trim();
        rows.add(
            new Row(
                section,
                names,
                cells[2].trim(),
                labels.isEmpty() && !cells[3].trim().equals("—") ? null : Set.copyOf(labels),
                panels.equals("—")
                    ? Set.of()
                    : new LinkedHashSet<>(Arrays.asList(panels.split("; ")))));
      }
    }
    return rows;
  }

  private static List<String> code(String cell) {
    List<String> out = new ArrayList<>();
    Matcher m = CODE.matcher(cell);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
