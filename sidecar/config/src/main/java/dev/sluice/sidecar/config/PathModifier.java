package dev.sluice.sidecar.config;

/**
 * How a rewrite or a redirect changes the request's path (Gateway API's {@code HTTPPathModifier},
 * contract 4). The query string is kept either way.
 *
 * @param type ReplaceFullPath, or ReplacePrefixMatch (the prefix the accepting match matched, at
 *     segment boundaries; only on a rule whose matches are all path {@code Prefix})
 * @param value the new path, or what replaces the matched prefix
 */
public record PathModifier(Type type, String value) {

  /** What is replaced. */
  public enum Type {
    ReplaceFullPath,
    ReplacePrefixMatch
  }
}
