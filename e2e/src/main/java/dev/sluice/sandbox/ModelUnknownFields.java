package dev.sluice.sandbox;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Fields a fabric8 model read but does not declare: a built-in kind keeps them in {@code
 * additionalProperties} instead of refusing them, so a misspelt key ({@code containerport}) would
 * be applied and pruned without a word. This walks the model and names each one by its path.
 */
final class ModelUnknownFields {
  private static final String MODELS = "io.fabric8.kubernetes.api.model";

  private ModelUnknownFields() {}

  /** The paths of every undeclared field in {@code model}, {@code at} its path. */
  static List<String> in(Object model, String at) {
    List<String> out = new ArrayList<>();
    walk(model, at, out);
    return out;
  }

  private static void walk(@Nullable Object value, String at, List<String> out) {
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        walk(list.get(i), at + "[" + i + "]", out);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> walk(v, at + "." + k, out));
      return;
    }
    if (value == null || !value.getClass().getName().startsWith(MODELS)) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object child = invoke(getter, value);
      String field = field(getter);
      if (field.equals("additionalProperties")) {
        if (child instanceof Map<?, ?> extra) {
          extra.keySet().forEach(k -> out.add(join(at, String.valueOf(k))));
        }
      } else {
        walk(child, join(at, field), out);
      }
    }
  }

  private static @Nullable Object invoke(Method getter, Object on) {
    try {
      return getter.invoke(on);
    } catch (IllegalAccessException | InvocationTargetException e) {
      return null; // not a model property
    }
  }

  private static String field(Method getter) {
    String name = getter.getName().substring(3);
    return Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }

  private static String join(String at, String field) {
    return at.isEmpty() ? field : at + "." + field;
  }
}
