package dev.sluice.operator;

/**
 * The operator's version, in one place: what {@code --version} prints, the default sidecar image's
 * tag and what the webhook records on the pods it injects.
 */
public final class OperatorVersion {
  /** A compile-time constant, so annotations ({@code @Command(version = ...)}) can use it. */
  public static final String VERSION = "0.1.0";

  private OperatorVersion() {}
}
