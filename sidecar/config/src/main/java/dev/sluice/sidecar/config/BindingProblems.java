package dev.sluice.sidecar.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.IgnoredPropertyException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** Turns Jackson's binding errors into {@link ConfigProblem}s with field paths. */
final class BindingProblems {

  static ConfigProblem describe(JsonProcessingException e) {
    if (e instanceof UnrecognizedPropertyException unknown) {
      if (unknown.getReferringClass() == SidecarConfig.class
          && "routes".equals(unknown.getPropertyName())) {
        return new ConfigProblem("routes", "renamed", "rules, the same list under its new name");
      }
      return new ConfigProblem(
          path(unknown, true) + unknown.getPropertyName(),
          "unknown field",
          "one of " + new TreeSet<>(names(unknown.getKnownPropertyIds())));
    }
    if (e instanceof IgnoredPropertyException ignored) {
      return new ConfigProblem(path(ignored, false), "unknown field", "a known field");
    }
    if (e instanceof InvalidFormatException format) {
      return ConfigProblem.of(path(format, false), format.getValue(), expected(format));
    }
    if (e instanceof MismatchedInputException mismatch) {
      return new ConfigProblem(
          path(mismatch, false),
          "wrong type (" + firstLine(mismatch.getOriginalMessage()) + ")",
          typeName(mismatch.getTargetType()));
    }
    if (e instanceof JsonMappingException mapping) {
      return new ConfigProblem(
          path(mapping, false), firstLine(mapping.getOriginalMessage()), "a valid value");
    }
    JsonLocation where = e.getLocation();
    String at = where == null ? "" : "line " + where.getLineNr() + " column " + where.getColumnNr();
    return new ConfigProblem(
        at, "unreadable (" + firstLine(e.getOriginalMessage()) + ")", "YAML or JSON");
  }

  private static String expected(InvalidFormatException e) {
    Class<?> target = e.getTargetType();
    if (target == Duration.class) {
      return Durations.EXPECTED;
    }
    if (target != null && target.isEnum()) {
      return "one of "
          + Arrays.stream(target.getEnumConstants())
              .map(c -> SidecarConfigCodec.toJson(c).replace("\"", ""))
              .collect(Collectors.joining(", "));
    }
    return typeName(target);
  }

  private static String typeName(@Nullable Class<?> type) {
    if (type == null) {
      return "a valid value";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (type == Duration.class) {
      return Durations.EXPECTED;
    }
    return "an object (" + type.getSimpleName() + ")";
  }

  /** The reference path; {@code asParent} ends it with a dot for a child name to follow. */
  private static String path(JsonMappingException e, boolean asParent) {
    StringBuilder path = new StringBuilder();
    List<JsonMappingException.Reference> references = e.getPath();
    int end = asParent ? references.size() - 1 : references.size();
    for (int i = 0; i < end; i++) {
      JsonMappingException.Reference reference = references.get(i);
      if (reference.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      }
    }
    if (asParent && path.length() > 0) {
      path.append('.');
    }
    return path.toString();
  }

  private static List<String> names(Collection<Object> ids) {
    return ids.stream().map(String::valueOf).toList();
  }

  private static String firstLine(@Nullable String message) {
    if (message == null) {
      return "unknown error";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private BindingProblems() {}
}
