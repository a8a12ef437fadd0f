package dev.sluice.sidecar.filters;

import dev.sluice.sidecar.config.PathCondition;
import dev.sluice.sidecar.config.PathModifier;
import org.jspecify.annotations.Nullable;

/**
 * A path as Gateway API's {@code HTTPPathModifier} changes it, for a rewrite and a redirect alike.
 * {@code ReplacePrefixMatch} replaces the prefix the accepting match matched, at segment
 * boundaries, a trailing {@code /} of either the prefix or the replacement ignored: with the match
 * {@code /foo}, {@code /foo/bar} becomes {@code /xyz/bar} for {@code /xyz} and {@code /bar} for
 * {@code /} or the empty replacement, and {@code /foo} becomes {@code /xyz} or {@code /}.
 */
public final class PathRewrite {
  private PathRewrite() {}

  /**
   * {@code path} (without query) changed by {@code modifier}; {@code accepted}: the path condition
   * of the match that accepted the request (a Prefix one for ReplacePrefixMatch, as validated).
   */
  public static String apply(
      String path, @Nullable PathModifier modifier, @Nullable PathCondition accepted) {
    if (modifier == null) {
      return path;
    }
    return switch (modifier.type()) {
      case ReplaceFullPath -> modifier.value();
      case ReplacePrefixMatch ->
          accepted == null || accepted.type() != PathCondition.Type.Prefix
              ? path // not accepted by a prefix: the validator refuses such a rule
              : replacePrefix(path, accepted.value(), modifier.value());
    };
  }

  /** {@code path}, which {@code prefix} matched at a segment boundary, with it replaced. */
  static String replacePrefix(String path, String prefix, String replacement) {
    String matched = trimmed(prefix);
    String rest = path.length() >= matched.length() ? path.substring(matched.length()) : "";
    String changed = trimmed(replacement) + rest;
    return changed.isEmpty() ? "/" : changed;
  }

  /** Without its trailing {@code /} ({@code /} itself becomes empty). */
  private static String trimmed(String path) {
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /** {@code path} with {@code query} after a {@code ?} when there is one. */
  public static String withQuery(String path, @Nullable String query) {
    return query == null ? path : path + "?" + query;
  }
}
