package dev.sluice.sidecar.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A config as one contract version sees it ({@link ContractFields#render}): the JSON to send a
 * sidecar speaking that version, or why it must not be sent.
 */
public sealed interface ContractRendering {

  /**
   * The config for the sidecar, its fields of later versions left out.
   *
   * @param json what the config service sends (the revision is the rendering's own: every
   *     contract's view of a revision is that revision)
   * @param requires the contract version this view needs (its {@code version} field)
   * @param dropped the optional fields left out, by path ({@code rules[0].foo})
   */
  record Sendable(String json, int requires, List<String> dropped) implements ContractRendering {
    public Sendable {
      dropped = List.copyOf(dropped);
    }
  }

  /**
   * Not for this sidecar: leaving these fields out would change what the config does.
   *
   * @param contract the contract the sidecar speaks
   * @param needed each use of a field the sidecar does not know, in document order
   */
  record Refused(int contract, List<Needed> needed) implements ContractRendering {
    public Refused {
      needed = List.copyOf(needed);
    }

    /** The highest version the fields need: what the sidecar has to speak. */
    public int requires() {
      return needed.stream().mapToInt(n -> n.field().since()).max().orElse(contract + 1);
    }

    /** The distinct table paths, in document order: {@code rules[].actions}. */
    public List<String> fields() {
      return needed.stream().map(n -> n.field().key()).distinct().toList();
    }

    /** One sentence: {@code rules[0].actions (contract 3), ...}. */
    public String describe() {
      return needed.stream()
          .map(
              n ->
                  n.path()
                      + (n.field().value() == null ? "" : " = " + n.field().value())
                      + " (contract "
                      + n.field().since()
                      + ")")
          .collect(Collectors.joining(", "));
    }
  }

  /**
   * One use of a must-understand field.
   *
   * @param path where, with indexes: {@code rules[0].actions}
   * @param field the table's entry for it
   */
  record Needed(String path, ContractField field) {}
}
