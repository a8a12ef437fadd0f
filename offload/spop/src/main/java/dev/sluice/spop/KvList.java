package dev.sluice.spop;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The key/value list of HELLO and DISCONNECT frames, in wire order. */
public record KvList(List<Entry> entries) {
  public KvList {
    entries = List.copyOf(entries);
  }

  /** The value of the first entry named exactly {@code name}; null when there is none. */
  public @Nullable SpopValue get(String name) {
    for (Entry e : entries) {
      if (e.name().equals(name)) {
        return e.value();
      }
    }
    return null;
  }

  /** Builds a list in order. */
  public static Builder builder() {
    return new Builder();
  }

  /** One item. */
  public record Entry(String name, SpopValue value) {}

  /** Collects entries in order. */
  public static final class Builder {
    private final List<Entry> entries = new ArrayList<>();

    public Builder put(String name, SpopValue value) {
      entries.add(new Entry(name, value));
      return this;
    }

    public KvList build() {
      return new KvList(entries);
    }
  }
}
