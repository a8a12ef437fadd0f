package dev.sluice.api.validation;

/** Field paths as the API server writes them: {@code spec.rules[1].backend}. */
final class FieldPaths {
  private FieldPaths() {}

  static String child(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  static String item(String path, int index) {
    return path + "[" + index + "]";
  }
}
