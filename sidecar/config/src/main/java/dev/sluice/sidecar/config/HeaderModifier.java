package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Static changes to a request's or a response's header fields (Gateway API's {@code
 * RequestHeaderModifier} and {@code ResponseHeaderModifier}, contract 4). Names compare
 * case-insensitively; each name appears at most once across the three lists.
 *
 * @param set fields that replace every field of their name (added when there is none)
 * @param add fields appended after those of their name (a second field line, which RFC 9110 5.3
 *     makes the same as a comma-joined value)
 * @param remove names whose every field is dropped
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record HeaderModifier(List<Field> set, List<Field> add, List<String> remove) {
  /** At most this many entries per list, as Gateway API allows. */
  public static final int MAX_PER_LIST = 16;

  public HeaderModifier {
    set = set == null ? List.of() : List.copyOf(set);
    add = add == null ? List.of() : List.copyOf(add);
    remove = remove == null ? List.of() : List.copyOf(remove);
  }

  /** True when it changes nothing. */
  @JsonIgnore
  public boolean isEmpty() {
    return set.isEmpty() && add.isEmpty() && remove.isEmpty();
  }

  /**
   * A header field.
   *
   * @param name its name (RFC 9110 token)
   * @param value its value (no control characters other than tab)
   */
  public record Field(String name, String value) {}
}
