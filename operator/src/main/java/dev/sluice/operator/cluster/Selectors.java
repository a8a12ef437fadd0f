package dev.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Label selectors evaluated in the operator (the informer caches hold the objects; the API server
 * is not asked), exactly as Kubernetes' {@code metav1.LabelSelectorAsSelector} and its validation
 * define them. fabric8 has the model ({@link LabelSelector}) but no matcher, so this is the one
 * place that evaluates one:
 *
 * <ul>
 *   <li>every {@code matchLabels} pair and every {@code matchExpressions} requirement must hold; a
 *       null selector selects nothing and an empty one everything;
 *   <li>operators are {@code In}, {@code NotIn}, {@code Exists}, {@code DoesNotExist}, spelled
 *       exactly so; In and NotIn need at least one value, Exists and DoesNotExist none; {@code
 *       NotIn} holds for a pod without the label;
 *   <li>keys are qualified names (an optional DNS subdomain prefix and {@code /}, then at most 63
 *       characters), values label values.
 * </ul>
 *
 * A selector Kubernetes would refuse has {@link #problems} and selects nothing: it never throws.
 */
public final class Selectors {
  private static final Pattern NAME = Pattern.compile("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  static final String KEY =
      "a label key: an optional DNS subdomain prefix and '/', then 1 to 63 letters, digits, '-',"
          + " '_' or '.', starting and ending with a letter or digit";
  static final String VALUE =
      "a label value: empty, or 1 to 63 letters, digits, '-', '_' or '.', starting and ending"
          + " with a letter or digit";

  private Selectors() {}

  /**
   * Something Kubernetes' validation refuses in a selector.
   *
   * @param field the path inside the selector ({@code matchExpressions[0].operator})
   * @param found the value found
   * @param expected what was expected
   */
  public record Problem(String field, String found, String expected) {}

  /** What Kubernetes would refuse in {@code selector}; empty when it is valid (or null). */
  public static List<Problem> problems(@Nullable LabelSelector selector) {
    List<Problem> problems = new ArrayList<>();
    if (selector == null) {
      return problems;
    }
    if (selector.getMatchLabels() != null) {
      selector
          .getMatchLabels()
          .forEach(
              (key, value) -> {
                if (!validKey(key)) {
                  problems.add(new Problem("matchLabels", String.valueOf(key), KEY));
                } else if (!validValue(value)) {
                  problems.add(
                      new Problem("matchLabels[" + key + "]", String.valueOf(value), VALUE));
                }
              });
    }
    List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
    for (int i = 0; expressions != null && i < expressions.size(); i++) {
      requirement("matchExpressions[" + i + "]", expressions.get(i), problems);
    }
    return problems;
  }

  private static void requirement(
      String at, @Nullable LabelSelectorRequirement r, List<Problem> problems) {
    if (r == null) {
      problems.add(new Problem(at, "null", "a requirement with key and operator"));
      return;
    }
    if (!validKey(r.getKey())) {
      problems.add(new Problem(at + ".key", String.valueOf(r.getKey()), KEY));
    }
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    Operator operator = Operator.of(r.getOperator());
    if (operator == null) {
      problems.add(
          new Problem(
              at + ".operator",
              String.valueOf(r.getOperator()),
              "In, NotIn, Exists or DoesNotExist (case-sensitive)"));
    } else if (operator.takesValues() && values.isEmpty()) {
      problems.add(
          new Problem(at + ".values", "[]", "at least one value for operator " + r.getOperator()));
    } else if (!operator.takesValues() && !values.isEmpty()) {
      problems.add(
          new Problem(
              at + ".values", values.toString(), "no values for operator " + r.getOperator()));
    }
    for (int j = 0; j < values.size(); j++) {
      if (!validValue(values.get(j))) {
        problems.add(new Problem(at + ".values[" + j + "]", String.valueOf(values.get(j)), VALUE));
      }
    }
  }

  /**
   * Whether {@code selector} selects an object with {@code labels}: false for a null selector and
   * for one with {@link #problems}.
   */
  public static boolean matches(
      @Nullable LabelSelector selector, @Nullable Map<String, String> labels) {
    if (selector == null || !problems(selector).isEmpty()) {
      return false;
    }
    Map<String, String> have = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(have.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        if (!holds(r, have)) {
          return false;
        }
      }
    }
    return true;
  }

  /** A valid requirement (checked by {@link #problems}) against the labels. */
  private static boolean holds(LabelSelectorRequirement r, Map<String, String> labels) {
    String value = labels.get(r.getKey());
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    Operator operator = Operator.of(r.getOperator());
    if (operator == null) {
      return false;
    }
    return switch (operator) {
      case IN -> value != null && values.contains(value);
      case NOT_IN -> value == null || !values.contains(value);
      case EXISTS -> value != null;
      case DOES_NOT_EXIST -> value == null;
    };
  }

  private enum Operator {
    IN("In", true),
    NOT_IN("NotIn", true),
    EXISTS("Exists", false),
    DOES_NOT_EXIST("DoesNotExist", false);

    private final String spelling;
    private final boolean takesValues;

    Operator(String spelling, boolean takesValues) {
      this.spelling = spelling;
      this.takesValues = takesValues;
    }

    boolean takesValues() {
      return takesValues;
    }

    static @Nullable Operator of(@Nullable String spelling) {
      for (Operator o : values()) {
        if (o.spelling.equals(spelling)) {
          return o;
        }
      }
      return null;
    }
  }

  /** A qualified name, as Kubernetes validates label keys. */
  static boolean validKey(@Nullable String key) {
    if (key == null || key.isEmpty()) {
      return false;
    }
    int slash = key.indexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
        return false;
      }
    }
    return name.length() <= 63 && NAME.matcher(name).matches();
  }

  /** A label value: empty, or a name of at most 63 characters. */
  static boolean validValue(@Nullable String value) {
    return value != null
        && (value.isEmpty() || (value.length() <= 63 && NAME.matcher(value).matches()));
  }
}
