package dev.sluice.sidecar.config;

import org.jspecify.annotations.Nullable;

/**
 * The contract's version numbers, and how a sidecar announces the one it speaks. Each version is
 * the previous one plus the fields {@link ContractFields} tags with it; what each contains is in
 * docs/sidecar-config.md, "Compatibility".
 */
public final class ContractVersions {
  /** The oldest contract the operator still renders for: what a sidecar that says nothing gets. */
  public static final int OLDEST_SUPPORTED = 1;

  /** The contract this build speaks: a sidecar reads it, an operator renders up to it. */
  public static final int CURRENT = 4;

  /**
   * The request header a sidecar announces its contract in, on every request to the config service
   * (config and endpoint polls, reports): {@code Sluice-Contract: 3}.
   */
  public static final String HEADER = "Sluice-Contract";

  /**
   * The contract a request announced: its {@link #HEADER} value, or {@link #OLDEST_SUPPORTED} when
   * it has none (a sidecar older than the header).
   *
   * @throws IllegalArgumentException naming the header, the value and what was expected
   */
  public static int announced(@Nullable String header) {
    if (header == null || header.isBlank()) {
      return OLDEST_SUPPORTED;
    }
    String value = header.strip();
    int version;
    try {
      version = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      version = -1;
    }
    if (version < OLDEST_SUPPORTED) {
      throw new IllegalArgumentException(
          HEADER
              + ": "
              + ConfigProblem.of("", value, "").found()
              + " (expected: a contract version, an integer from "
              + OLDEST_SUPPORTED
              + ")");
    }
    return version;
  }

  private ContractVersions() {}
}
