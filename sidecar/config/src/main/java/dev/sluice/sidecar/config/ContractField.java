package dev.sluice.sidecar.config;

import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A field of the contract that a version after the first introduced, and what an older sidecar's
 * ignorance of it means.
 *
 * @param path where it is, list elements as {@code []}: {@code origin}, {@code rules[].actions}
 * @param since the contract version that introduced it (2 or later: version 1 is the base)
 * @param handling whether a sidecar that does not know it may run the config without it
 * @param value for a value a later version added to a field older versions know (a new sample
 *     expression): that value, the field counting as used only when it holds it; null for a field a
 *     later version added
 */
public record ContractField(String path, int since, Handling handling, @Nullable String value) {
  private static final Pattern PATH =
      Pattern.compile("[A-Za-z][A-Za-z0-9]*(\\[])?(\\.[A-Za-z][A-Za-z0-9]*(\\[])?)*");

  /** What leaving a field out does to a config. */
  public enum Handling {
    /**
     * Safe to drop: a sidecar without it behaves as the config means (information, an optional
     * tuning whose default is what older sidecars do anyway). Left out for older sidecars.
     */
    OPTIONAL,
    /**
     * Dropping it would change behaviour (routing, security): an older sidecar is never sent a
     * config that uses it, and a config that uses it requires its version.
     */
    MUST_UNDERSTAND
  }

  /** A field a later version added. */
  public ContractField(String path, int since, Handling handling) {
    this(path, since, handling, null);
  }

  public ContractField {
    if (path == null || !PATH.matcher(path).matches()) {
      throw new IllegalArgumentException(
          "path: "
              + ConfigProblem.of("", path, "").found()
              + " (expected: field names joined by '.', a list's elements as [], e.g."
              + " rules[].actions)");
    }
    if (since <= ContractVersions.OLDEST_SUPPORTED) {
      throw new IllegalArgumentException(
          "since: "
              + since
              + " (expected: greater than "
              + ContractVersions.OLDEST_SUPPORTED
              + ", the base contract every field of which every sidecar knows)");
    }
    if (handling == null) {
      throw new IllegalArgumentException(
          "handling: missing (expected: OPTIONAL or MUST_UNDERSTAND)");
    }
    if (value != null && handling != Handling.MUST_UNDERSTAND) {
      throw new IllegalArgumentException(
          "handling: "
              + handling
              + " for the value "
              + value
              + " of "
              + path
              + " (expected: MUST_UNDERSTAND: an older sidecar refuses a value it does not know,"
              + " and the field cannot be left out)");
    }
  }

  /** The table entry's name: its path, and the value when it is one. */
  String key() {
    return value == null ? path : path + "=" + value;
  }

  /** The path's steps: {@code rules[].actions} is {@code [rules[], actions]}. */
  List<String> steps() {
    return List.of(path.split("\\.", -1));
  }
}
