package dev.sluice.sidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The version table: every field a contract version after the first introduced, with what an older
 * sidecar's ignorance of it means ({@link ContractField.Handling}). The operator renders a config
 * for the version a sidecar announced through it ({@link #render}); a sidecar decodes through it
 * ({@link ConfigDecoder}), so a field of a later version is unknown to it exactly as it would be to
 * an older build. Adding a version is adding its fields here
 * (docs/design/20261207-version-skew.md).
 */
public final class ContractFields {
  /** The contract as this build knows it. */
  public static final ContractFields CURRENT =
      new ContractFields(
          List.of(
              new ContractField("origin", 2, ContractField.Handling.OPTIONAL),
              // An older sidecar logs every exchange without headers or query, and traces with its
              // defaults: it logs less, never what a rule redacts.
              new ContractField("rules[].accessLog", 3, ContractField.Handling.OPTIONAL),
              new ContractField("rules[].tracing", 3, ContractField.Handling.OPTIONAL),
              // An older sidecar refuses a sample it does not know: never send it one.
              new ContractField(
                  "agents[].messages[].args[].value",
                  3,
                  ContractField.Handling.MUST_UNDERSTAND,
                  "trace_id"),
              // Gateway API's matches and filters: an older sidecar would take requests a query
              // parameter rules out, send headers, hosts and paths the rule changes as the client
              // sent them, and forward what the rule redirects.
              new ContractField(
                  "rules[].matches[].queryParams", 4, ContractField.Handling.MUST_UNDERSTAND),
              new ContractField(
                  "rules[].requestHeaders", 4, ContractField.Handling.MUST_UNDERSTAND),
              new ContractField(
                  "rules[].responseHeaders", 4, ContractField.Handling.MUST_UNDERSTAND),
              new ContractField("rules[].rewrite", 4, ContractField.Handling.MUST_UNDERSTAND),
              new ContractField("rules[].redirect", 4, ContractField.Handling.MUST_UNDERSTAND),
              // Contract 4: each changes where a rule's requests go or whether they are answered.
              new ContractField("rules[].backends", 4, ContractField.Handling.MUST_UNDERSTAND),
              new ContractField("rules[].rateLimit", 4, ContractField.Handling.MUST_UNDERSTAND),
              // A mirror is traffic an older sidecar would silently not send.
              new ContractField("rules[].mirrors", 4, ContractField.Handling.MUST_UNDERSTAND),
              // An older sidecar would forward preflights and send responses without the fields a
              // browser needs to let a page read them.
              new ContractField("rules[].cors", 4, ContractField.Handling.MUST_UNDERSTAND),
              // Gateway API's request and backendRequest timeouts: an older sidecar would let an
              // exchange or a try run past the bound the rule promises its clients.
              new ContractField(
                  "rules[].timeouts.exchange", 4, ContractField.Handling.MUST_UNDERSTAND),
              new ContractField(
                  "rules[].timeouts.backendRequest", 4, ContractField.Handling.MUST_UNDERSTAND),

              // An older sidecar would serve without asking for client certificates and forward a
              // client's own identity header: never send it one.
              new ContractField(
                  "listeners[].tls.clientValidation", 4, ContractField.Handling.MUST_UNDERSTAND)));

  private final List<ContractField> fields;

  /** {@code fields}: each path once. */
  public ContractFields(List<ContractField> fields) {
    Set<String> paths = new HashSet<>();
    for (ContractField field : fields) {
      if (!paths.add(field.key())) {
        throw new IllegalArgumentException(
            "fields: " + field.key() + " twice (expected: each path once)");
      }
    }
    this.fields =
        fields.stream()
            .sorted(
                Comparator.comparingInt(ContractField::since).thenComparing(ContractField::path))
            .toList();
  }

  public List<ContractField> fields() {
    return fields;
  }

  /** The newest version the table knows: the highest {@code since}, at least the oldest. */
  public int newest() {
    return fields.stream()
        .mapToInt(ContractField::since)
        .max()
        .orElse(ContractVersions.OLDEST_SUPPORTED);
  }

  /** This table with {@code field} added, or replacing the entry with its path. */
  public ContractFields with(ContractField field) {
    List<ContractField> next = new ArrayList<>();
    fields.stream().filter(f -> !f.key().equals(field.key())).forEach(next::add);
    next.add(field);
    return new ContractFields(next);
  }

  /** The contract {@code config} requires: the newest must-understand field it uses, else 1. */
  public int required(SidecarConfig config) {
    return required(SidecarConfigCodec.tree(config));
  }

  /**
   * {@code config} for a sidecar speaking {@code contract}: fields of later versions left out when
   * optional, refused when must-understand and used; its {@code version} the one it then requires.
   */
  public ContractRendering render(SidecarConfig config, int contract) {
    ObjectNode tree = SidecarConfigCodec.tree(config);
    Projection projection = project(tree, contract);
    if (!projection.needed().isEmpty()) {
      return new ContractRendering.Refused(contract, projection.needed());
    }
    int requires = required(tree);
    tree.put("version", requires);
    return new ContractRendering.Sendable(
        SidecarConfigCodec.json(tree), requires, projection.dropped());
  }

  /**
   * What of {@code tree} a sidecar speaking {@code contract} knows: optional fields of later
   * versions are removed from {@code tree}; used must-understand ones are left and listed.
   */
  Projection project(ObjectNode tree, int contract) {
    List<String> dropped = new ArrayList<>();
    List<ContractRendering.Needed> needed = new ArrayList<>();
    places(
        tree,
        field -> field.since() > contract,
        (field, parent, name, path) -> {
          if (field.handling() == ContractField.Handling.MUST_UNDERSTAND
              && used(field, parent.get(name))) {
            needed.add(new ContractRendering.Needed(path, field));
          } else if (field.value() == null) {
            parent.remove(name);
            dropped.add(path);
          }
        });
    return new Projection(dropped, needed);
  }

  /**
   * What a projection found.
   *
   * @param dropped optional fields removed, by path
   * @param needed must-understand fields in use
   */
  record Projection(List<String> dropped, List<ContractRendering.Needed> needed) {}

  private int required(ObjectNode tree) {
    int[] required = {ContractVersions.OLDEST_SUPPORTED};
    places(
        tree,
        field -> field.handling() == ContractField.Handling.MUST_UNDERSTAND,
        (field, parent, name, path) -> {
          if (used(field, parent.get(name))) {
            required[0] = Math.max(required[0], field.since());
          }
        });
    return required[0];
  }

  /** Every place in {@code tree} of every field {@code which} takes, in table order. */
  private void places(ObjectNode tree, Predicate<ContractField> which, Place place) {
    for (ContractField field : fields) {
      if (which.test(field)) {
        visit(
            tree,
            field.steps(),
            0,
            "",
            (parent, name, path) -> place.at(field, parent, name, path));
      }
    }
  }

  private interface Place {
    void at(ContractField field, ObjectNode parent, String name, String path);
  }

  /**
   * Present with something in it (an empty list or object asks nothing of a sidecar); for a value
   * the table names, holding it.
   */
  private static boolean used(ContractField field, JsonNode value) {
    if (field.value() != null) {
      return value != null && value.isTextual() && field.value().equals(value.asText());
    }
    return value != null && !value.isNull() && !(value.isContainerNode() && value.isEmpty());
  }

  private interface Found {
    void at(ObjectNode parent, String name, String path);
  }

  /**
   * Calls {@code found} for each place {@code steps} (from {@code step}) names under {@code node}.
   */
  private static void visit(ObjectNode node, List<String> steps, int step, String at, Found found) {
    String raw = steps.get(step);
    boolean list = raw.endsWith("[]");
    String name = list ? raw.substring(0, raw.length() - 2) : raw;
    String path = at.isEmpty() ? name : at + "." + name;
    if (!node.has(name)) {
      return;
    }
    if (step == steps.size() - 1) {
      found.at(node, name, path);
      return;
    }
    JsonNode child = node.get(name);
    if (list && child instanceof ArrayNode elements) {
      for (int i = 0; i < elements.size(); i++) {
        if (elements.get(i) instanceof ObjectNode element) {
          visit(element, steps, step + 1, path + "[" + i + "]", found);
        }
      }
    } else if (!list && child instanceof ObjectNode object) {
      visit(object, steps, step + 1, path, found);
    }
  }
}
