package dev.sluice.sidecar.filters;

import dev.sluice.sidecar.config.HeaderModifier;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A rule's {@link HeaderModifier}, compiled once per generation for the one pass that writes an
 * outgoing head: the names whose incoming fields are dropped ({@code set} and {@code remove}), then
 * the fields written after the copy ({@code set}'s, then {@code add}'s, after the fields of their
 * name that were kept). Names compare case-insensitively without a lower-cased copy per field.
 */
public final class HeaderEdits {
  /** Changes nothing. */
  public static final HeaderEdits NONE = new HeaderEdits(List.of(), List.of(), List.of());

  /** What an edit writes: a field. */
  public interface Sink {
    void add(CharSequence name, CharSequence value);
  }

  private final AsciiString[] dropped;
  private final AsciiString[] names;
  private final AsciiString[] values;

  private HeaderEdits(List<String> dropped, List<String> names, List<String> values) {
    this(ascii(dropped), ascii(names), ascii(values));
  }

  private HeaderEdits(AsciiString[] dropped, AsciiString[] names, AsciiString[] values) {
    this.dropped = dropped;
    this.names = names;
    this.values = values;
  }

  private static AsciiString[] ascii(List<String> texts) {
    return texts.stream().map(AsciiString::cached).toArray(AsciiString[]::new);
  }

  /** {@code modifier} compiled; {@link #NONE} when null or empty. */
  public static HeaderEdits of(@Nullable HeaderModifier modifier) {
    if (modifier == null || modifier.isEmpty()) {
      return NONE;
    }
    List<String> dropped = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (HeaderModifier.Field field : modifier.set()) {
      dropped.add(field.name().toLowerCase(Locale.ROOT));
      names.add(field.name());
      values.add(field.value());
    }
    for (HeaderModifier.Field field : modifier.add()) {
      names.add(field.name());
      values.add(field.value());
    }
    modifier.remove().forEach(name -> dropped.add(name.toLowerCase(Locale.ROOT)));
    return new HeaderEdits(dropped, names, values);
  }

  /**
   * Fields computed for one exchange (CORS): {@code dropped}, lower-case names whose incoming
   * fields are dropped; {@code names} and {@code values}, the fields written.
   */
  public static HeaderEdits fields(List<String> dropped, List<String> names, List<String> values) {
    return new HeaderEdits(dropped, names, values);
  }

  /**
   * These edits, then {@code next}'s: the names either drops are dropped, this one's fields written
   * before {@code next}'s.
   */
  public HeaderEdits then(HeaderEdits next) {
    if (next.none()) {
      return this;
    }
    if (none()) {
      return next;
    }
    return new HeaderEdits(
        concat(dropped, next.dropped), concat(names, next.names), concat(values, next.values));
  }

  private static AsciiString[] concat(AsciiString[] first, AsciiString[] second) {
    AsciiString[] all = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, all, first.length, second.length);
    return all;
  }

  /** True when it changes nothing (the pass skips every check). */
  public boolean none() {
    return this == NONE;
  }

  /** Whether fields named {@code name} (any case) are dropped: set or removed. */
  public boolean drops(CharSequence name) {
    for (AsciiString candidate : dropped) { // at most 32: no map, no copy of the name
      if (candidate.contentEqualsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** Writes the fields {@code set} and {@code add} give, in that order. */
  public void writeTo(Sink sink) {
    for (int i = 0; i < names.length; i++) {
      sink.add(names[i], values[i]);
    }
  }
}
