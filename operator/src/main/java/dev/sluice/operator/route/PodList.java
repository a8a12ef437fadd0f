package dev.sluice.operator.route;

import java.util.Collection;
import java.util.List;

/**
 * Pods named in a sentence: a few by name, the rest counted ({@code web-1, web-2, web-3 and 4
 * more}).
 */
final class PodList {
  /** Pods shown by name, at most. */
  static final int NAMED = 3;

  private PodList() {}

  /** {@code pods}, sorted and each once, the first {@link #NAMED} by name. */
  static String of(Collection<String> pods) {
    List<String> names = pods.stream().distinct().sorted().toList();
    String shown = String.join(", ", names.subList(0, Math.min(NAMED, names.size())));
    return names.size() > NAMED ? shown + " and " + (names.size() - NAMED) + " more" : shown;
  }
}
