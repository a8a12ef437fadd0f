package dev.sluice.api.validation;

import java.util.Set;

/**
 * Property names as Kubernetes' CEL sees them: a CEL reserved word is {@code __<word>__} (so {@code
 * self.__namespace__}), and {@code __}, {@code .}, {@code -} and {@code /} are spelled {@code
 * __underscores__}, {@code __dot__}, {@code __dash__}, {@code __slash__} — the API server's
 * escaping of declared properties, which Gateway API's own rules use.
 */
final class CelNames {
  private static final Set<String> RESERVED =
      Set.of(
          "true",
          "false",
          "null",
          "in",
          "as",
          "break",
          "const",
          "continue",
          "else",
          "for",
          "function",
          "if",
          "import",
          "let",
          "loop",
          "package",
          "namespace",
          "return",
          "var",
          "void",
          "while");

  private CelNames() {}

  static String escape(String name) {
    if (RESERVED.contains(name)) {
      return "__" + name + "__";
    }
    return name.replace("__", "__underscores__")
        .replace(".", "__dot__")
        .replace("-", "__dash__")
        .replace("/", "__slash__");
  }
}
