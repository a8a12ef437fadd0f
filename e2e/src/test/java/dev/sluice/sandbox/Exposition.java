package dev.sluice.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A scrape in Prometheus' text format (0.0.4), read: the families its {@code # TYPE} lines declare
 * and every sample with its series name and labels.
 */
final class Exposition {
  /** One sample line. */
  record Sample(String series, Map<String, String> labels, String value) {}

  private final Map<String, String> types = new LinkedHashMap<>();
  private final List<Sample> samples = new ArrayList<>();

  private Exposition() {}

  static Exposition parse(String text) {
    Exposition out = new Exposition();
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.substring(7).trim().split(" ");
        out.types.put(parts[0], parts[1]);
      } else if (!line.isBlank() && !line.startsWith("#")) {
        out.samples.add(sample(line));
      }
    }
    return out;
  }

  /** Both scrapes' families and samples (several sidecars: one picture). */
  Exposition and(Exposition other) {
    Exposition out = new Exposition();
    out.types.putAll(types);
    out.types.putAll(other.types);
    out.samples.addAll(samples);
    out.samples.addAll(other.samples);
    return out;
  }

  /** Family name to type (counter, gauge, histogram, summary). */
  Map<String, String> types() {
    return types;
  }

  /** Every sample. */
  List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** The samples whose series name is {@code series}. */
  List<Sample> samples(String series) {
    return samples.stream().filter(s -> s.series().equals(series)).toList();
  }

  /**
   * The family {@code series} belongs to: itself when it is one, else the histogram of a {@code
   * _bucket}, {@code _count} or {@code _sum} series, or the summary of a {@code _count} or {@code
   * _sum}; null when none is declared.
   */
  String familyOf(String series) {
    if (types.containsKey(series)) {
      return series;
    }
    for (String suffix : List.of("_bucket", "_count", "_sum")) {
      if (series.endsWith(suffix)) {
        String family = series.substring(0, series.length() - suffix.length());
        String type = types.get(family);
        if ("histogram".equals(type) || ("summary".equals(type) && !suffix.equals("_bucket"))) {
          return family;
        }
      }
    }
    return null;
  }

  /** The label names the samples of {@code family} carry (a histogram's {@code le} left out). */
  Set<String> labelsOf(String family) {
    Set<String> labels = new LinkedHashSet<>();
    for (Sample sample : samples) {
      if (family.equals(familyOf(sample.series()))) {
        labels.addAll(sample.labels().keySet());
      }
    }
    if ("histogram".equals(types.get(family))) {
      labels.remove("le");
    }
    return labels;
  }

  private static Sample sample(String line) {
    int brace = line.indexOf('{');
    int space = line.indexOf(' ');
    if (brace < 0 || brace > space) {
      return new Sample(line.substring(0, space), Map.of(), line.substring(space + 1).trim());
    }
    Map<String, String> labels = new LinkedHashMap<>();
    int i = brace + 1;
    while (line.charAt(i) != '}') {
      int eq = line.indexOf('=', i);
      String name = line.substring(i, eq);
      StringBuilder value = new StringBuilder();
      int j = eq + 2; // past ="
      for (; line.charAt(j) != '"'; j++) {
        char c = line.charAt(j);
        if (c == '\\') {
          c = line.charAt(++j);
          value.append(c == 'n' ? '\n' : c);
        } else {
          value.append(c);
        }
      }
      labels.put(name, value.toString());
      i = j + 1;
      if (line.charAt(i) == ',') {
        i++;
      }
    }
    return new Sample(line.substring(0, brace), labels, line.substring(i + 1).trim());
  }
}
