package dev.sluice.sidecar.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** Collects {@link ConfigProblem}s while the validators walk a config. */
final class Problems {
  private final List<ConfigProblem> found = new ArrayList<>();

  void add(ConfigProblem problem) {
    found.add(problem);
  }

  void add(String path, @Nullable Object value, String expected) {
    found.add(ConfigProblem.of(path, value, expected));
  }

  /** Reports a missing value; returns true when present. */
  boolean required(String path, @Nullable Object value, String expected) {
    if (value == null) {
      add(path, null, expected);
      return false;
    }
    return true;
  }

  void range(String path, @Nullable Number value, long min, long max) {
    if (value != null && (value.longValue() < min || value.longValue() > max)) {
      add(path, value, min + ".." + max);
    }
  }

  void hostPort(String path, @Nullable String value) {
    if (required(path, value, HostPort.EXPECTED)) {
      try {
        HostPort.parse(value);
      } catch (IllegalArgumentException e) {
        add(path, value, requireNonNull(e.getMessage()).substring("expected: ".length()));
      }
    }
  }

  /**
   * The targets of an upstream or agent at {@code path}: static {@code endpoints} (host:port, at
   * least one) or a {@code cluster} whose endpoints arrive on their own, never both.
   */
  void endpointsOrCluster(String path, List<String> endpoints, @Nullable String cluster) {
    if (cluster != null) {
      if (!endpoints.isEmpty()) {
        addFinding(
            path + ".endpoints",
            String.join(", ", endpoints),
            "no endpoints with cluster " + cluster + " (its endpoints arrive on their own)");
      }
      if (!ClusterNames.valid(cluster)) {
        add(path + ".cluster", cluster, ClusterNames.EXPECTED);
      }
    } else if (endpoints.isEmpty()) {
      add(path + ".endpoints", null, "at least one host:port, or a cluster");
    }
    for (int i = 0; i < endpoints.size(); i++) {
      hostPort(path + ".endpoints[" + i + "]", endpoints.get(i));
    }
  }

  /** An address to listen on (port 0 allowed). */
  void bindAddress(String path, @Nullable String value) {
    if (required(path, value, HostPort.EXPECTED_BIND)) {
      try {
        HostPort.parseBindable(value);
      } catch (IllegalArgumentException e) {
        add(path, value, requireNonNull(e.getMessage()).substring("expected: ".length()));
      }
    }
  }

  void positive(String path, @Nullable Duration value) {
    if (value != null && (value.isZero() || value.isNegative())) {
      add(path, Durations.format(value), "a duration greater than 0");
    }
  }

  /** Reports every element whose key repeats an earlier one. */
  <T> void unique(String listPath, List<T> items, Function<T, String> key, String keyName) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String value = key.apply(items.get(i));
      if (value != null && !seen.add(value)) {
        add(
            listPath + "[" + i + "]." + keyName,
            value,
            "unique among " + listPath + "[]." + keyName);
      }
    }
  }

  /** A problem whose finding is a description rather than a value ("present", "empty"). */
  void addFinding(String path, String finding, String expected) {
    found.add(new ConfigProblem(path, finding, expected));
  }

  List<ConfigProblem> list() {
    return List.copyOf(found);
  }
}
