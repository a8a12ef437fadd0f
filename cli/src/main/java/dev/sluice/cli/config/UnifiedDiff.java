package dev.sluice.cli.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A unified diff ({@code diff -u}) of two texts line by line: longest common subsequence, hunks
 * with three lines of context, {@code @@ -a,b +c,d @@} headers as patch(1) reads them.
 */
public final class UnifiedDiff {
  static final int CONTEXT = 3;

  private record Edit(char kind, String line, int oldLine, int newLine) {}

  private UnifiedDiff() {}

  /** The diff, or an empty string when the texts are equal. */
  public static String of(String oldName, String oldText, String newName, String newText) {
    List<Edit> edits = edits(lines(oldText), lines(newText));
    if (edits.stream().allMatch(e -> e.kind() == ' ')) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    out.append("--- ").append(oldName).append('\n');
    out.append("+++ ").append(newName).append('\n');
    int i = 0;
    while (i < edits.size()) {
      if (edits.get(i).kind() == ' ') {
        i++;
        continue;
      }
      int start = Math.max(0, i - CONTEXT);
      // extend the hunk while the next change is within 2 * CONTEXT unchanged lines
      int lastChange = i;
      for (int j = i; j < edits.size(); j++) {
        if (edits.get(j).kind() != ' ') {
          lastChange = j;
        } else if (j - lastChange > 2 * CONTEXT) {
          break;
        }
      }
      int end = Math.min(edits.size(), lastChange + CONTEXT + 1);
      hunk(edits.subList(start, end), out);
      i = end;
    }
    return out.toString();
  }

  private static void hunk(List<Edit> hunk, StringBuilder out) {
    int oldStart = -1;
    int newStart = -1;
    int oldCount = 0;
    int newCount = 0;
    for (Edit e : hunk) {
      if (e.kind() != '+') {
        oldCount++;
        if (oldStart < 0) {
          oldStart = e.oldLine();
        }
      }
      if (e.kind() != '-') {
        newCount++;
        if (newStart < 0) {
          newStart = e.newLine();
        }
      }
    }
    // an empty side is numbered by the line before it, as diff -u does
    if (oldStart < 0) {
      oldStart = hunk.get(0).oldLine() - 1;
    }
    if (newStart < 0) {
      newStart = hunk.get(0).newLine() - 1;
    }
    out.append("@@ -")
        .append(range(oldStart, oldCount))
        .append(" +")
        .append(range(newStart, newCount))
        .append(" @@\n");
    hunk.forEach(e -> out.append(e.kind()).append(e.line()).append('\n'));
  }

  private static String range(int start, int count) {
    return count == 1 ? String.valueOf(start) : start + "," + count;
  }

  private static List<Edit> edits(List<String> a, List<String> b) {
    int[][] lcs = new int[a.size() + 1][b.size() + 1];
    for (int i = a.size() - 1; i >= 0; i--) {
      for (int j = b.size() - 1; j >= 0; j--) {
        lcs[i][j] =
            a.get(i).equals(b.get(j))
                ? lcs[i + 1][j + 1] + 1
                : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    List<Edit> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.size() || j < b.size()) {
      if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
        out.add(new Edit(' ', a.get(i), i + 1, j + 1));
        i++;
        j++;
      } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
        out.add(new Edit('-', a.get(i), i + 1, j + 1));
        i++;
      } else {
        out.add(new Edit('+', b.get(j), i + 1, j + 1));
        j++;
      }
    }
    return out;
  }

  private static List<String> lines(String text) {
    if (text.isEmpty()) {
      return List.of();
    }
    String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    return List.of(body.split("\n", -1));
  }
}
