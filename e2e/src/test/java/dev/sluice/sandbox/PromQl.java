package dev.sluice.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a PromQL expression reads: each series name it selects, with the labels it needs on that
 * series' samples — those its enclosing aggregations group {@code by (...)} and those its matchers
 * name. A lexer with just enough structure for that (aggregations scope their grouping; functions,
 * binary operators, numbers, strings, durations and modifiers are skipped), not a full parser: what
 * it does not understand, it refuses, naming it, rather than read past.
 */
final class PromQl {
  /** A series an expression selects and the labels it needs there. */
  record Selector(String series, Set<String> labels) {}

  private static final Set<String> AGGREGATIONS =
      Set.of(
          "sum",
          "min",
          "max",
          "avg",
          "group",
          "stddev",
          "stdvar",
          "count",
          "count_values",
          "bottomk",
          "topk",
          "quantile",
          "limitk",
          "limit_ratio");

  /** Keywords followed by a parenthesised label list (grouping or vector matching). */
  private static final Set<String> LABEL_LISTS =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

  private static final Set<String> KEYWORDS =
      Set.of("bool", "and", "or", "unless", "offset", "atan2");

  private enum Type {
    IDENT,
    NUMBER,
    STRING,
    MATCHERS,
    RANGE,
    OPEN,
    CLOSE,
    OTHER
  }

  /** A token; for MATCHERS, {@code labels} are the label names the braces match on. */
  private record Token(Type type, String text, Set<String> labels) {}

  private PromQl() {}

  /** The series {@code expr} selects, in order, each with the labels it needs. */
  static List<Selector> selectors(String expr) {
    List<Token> tokens = lex(expr);
    List<Selector> out = new ArrayList<>();
    scan(tokens, 0, tokens.size(), Set.of(), out, expr);
    return out;
  }

  /** Selectors in tokens [from, to), each needing {@code grouped} besides its own matchers. */
  private static void scan(
      List<Token> tokens, int from, int to, Set<String> grouped, List<Selector> out, String expr) {
    int i = from;
    while (i < to) {
      Token t = tokens.get(i);
      if (t.type() == Type.IDENT && AGGREGATIONS.contains(t.text())) {
        i = aggregation(tokens, i + 1, to, grouped, out, expr);
      } else if (t.type() == Type.IDENT && LABEL_LISTS.contains(t.text())) {
        i = closing(tokens, expect(tokens, i + 1, Type.OPEN, expr), expr) + 1; // vector matching
      } else if (t.type() == Type.IDENT && KEYWORDS.contains(t.text())) {
        i++;
      } else if (t.type() == Type.IDENT && next(tokens, i + 1, to) == Type.OPEN) {
        i++; // a function: its arguments are scanned in this scope
      } else if (t.type() == Type.IDENT) {
        Set<String> labels = new LinkedHashSet<>(grouped);
        if (next(tokens, i + 1, to) == Type.MATCHERS) {
          labels.addAll(tokens.get(++i).labels());
        }
        out.add(new Selector(t.text(), labels));
        i++;
      } else if (t.type() == Type.MATCHERS) {
        throw new IllegalArgumentException(
            "a selector without a metric name in " + expr + " (expected: name{...})");
      } else {
        i++;
      }
    }
  }

  /**
   * An aggregation from just after its operator: {@code [by|without (labels)] ([param,] expr)
   * [by|without (labels)]}; returns the index after it.
   */
  private static int aggregation(
      List<Token> tokens, int i, int to, Set<String> grouped, List<Selector> out, String expr) {
    Set<String> by = new LinkedHashSet<>(grouped);
    i = modifier(tokens, i, to, by, expr);
    int open = expect(tokens, i, Type.OPEN, expr);
    int close = closing(tokens, open, expr);
    int after = modifier(tokens, close + 1, to, by, expr);
    scan(tokens, open + 1, close, by, out, expr);
    return after;
  }

  /** A {@code by (...)} adds its labels to {@code by}; {@code without} needs none. */
  private static int modifier(List<Token> tokens, int i, int to, Set<String> by, String expr) {
    if (i >= to || tokens.get(i).type() != Type.IDENT) {
      return i;
    }
    String word = tokens.get(i).text();
    if (!word.equals("by") && !word.equals("without")) {
      return i;
    }
    int open = expect(tokens, i + 1, Type.OPEN, expr);
    int close = closing(tokens, open, expr);
    if (word.equals("by")) {
      for (int j = open + 1; j < close; j++) {
        if (tokens.get(j).type() == Type.IDENT) {
          by.add(tokens.get(j).text());
        }
      }
    }
    return close + 1;
  }

  private static Type next(List<Token> tokens, int i, int to) {
    return i < to ? tokens.get(i).type() : Type.OTHER;
  }

  private static int expect(List<Token> tokens, int i, Type type, String expr) {
    if (i >= tokens.size() || tokens.get(i).type() != type) {
      throw new IllegalArgumentException(
          "token " + i + " of " + expr + " (expected: " + type.name().toLowerCase() + ")");
    }
    return i;
  }

  private static int closing(List<Token> tokens, int open, String expr) {
    int depth = 0;
    for (int i = open; i < tokens.size(); i++) {
      Type type = tokens.get(i).type();
      depth += type == Type.OPEN ? 1 : type == Type.CLOSE ? -1 : 0;
      if (depth == 0) {
        return i;
      }
    }
    throw new IllegalArgumentException("unbalanced parentheses in " + expr);
  }

  private static List<Token> lex(String expr) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    while (i < expr.length()) {
      char c = expr.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '#') {
        int end = expr.indexOf('\n', i);
        i = end < 0 ? expr.length() : end;
      } else if (c == '"' || c == '\'' || c == '`') {
        int end = endOfString(expr, i);
        tokens.add(new Token(Type.STRING, expr.substring(i, end), Set.of()));
        i = end;
      } else if (Character.isDigit(c) || (c == '.' && i + 1 < expr.length())) {
        int end = i;
        while (end < expr.length()
            && (Character.isLetterOrDigit(expr.charAt(end)) || expr.charAt(end) == '.')) {
          end++;
        }
        tokens.add(new Token(Type.NUMBER, expr.substring(i, end), Set.of()));
        i = end;
      } else if (Character.isLetter(c) || c == '_' || c == ':') {
        int end = i;
        while (end < expr.length() && isNameChar(expr.charAt(end))) {
          end++;
        }
        tokens.add(new Token(Type.IDENT, expr.substring(i, end), Set.of()));
        i = end;
      } else if (c == '{') {
        int end = i + 1;
        Set<String> labels = new LinkedHashSet<>();
        while (end < expr.length() && expr.charAt(end) != '}') {
          char d = expr.charAt(end);
          if (d == '"' || d == '\'' || d == '`') {
            end = endOfString(expr, end);
          } else if (Character.isLetter(d) || d == '_') {
            int start = end;
            while (end < expr.length() && isNameChar(expr.charAt(end))) {
              end++;
            }
            labels.add(expr.substring(start, end));
          } else {
            end++;
          }
        }
        if (end >= expr.length()) {
          throw new IllegalArgumentException("unclosed { in " + expr);
        }
        tokens.add(new Token(Type.MATCHERS, expr.substring(i, end + 1), labels));
        i = end + 1;
      } else if (c == '[') {
        int end = expr.indexOf(']', i);
        if (end < 0) {
          throw new IllegalArgumentException("unclosed [ in " + expr);
        }
        tokens.add(new Token(Type.RANGE, expr.substring(i, end + 1), Set.of()));
        i = end + 1;
      } else {
        Type type = c == '(' ? Type.OPEN : c == ')' ? Type.CLOSE : Type.OTHER;
        tokens.add(new Token(type, String.valueOf(c), Set.of()));
        i++;
      }
    }
    return tokens;
  }

  private static boolean isNameChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == ':';
  }

  /** The index just past the string literal that starts at {@code start}. */
  private static int endOfString(String expr, int start) {
    char quote = expr.charAt(start);
    for (int i = start + 1; i < expr.length(); i++) {
      char c = expr.charAt(i);
      if (c == '\\' && quote != '`') {
        i++;
      } else if (c == quote) {
        return i + 1;
      }
    }
    throw new IllegalArgumentException("unclosed string in " + expr);
  }
}
