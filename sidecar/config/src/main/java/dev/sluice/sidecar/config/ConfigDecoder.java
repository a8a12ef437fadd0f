package dev.sluice.sidecar.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads configs from the operator's config service as a sidecar speaking one contract version does:
 * a field it does not know — of a later version, or none at all — is ignored and named in {@link
 * Decoded#ignored}, except where ignoring it could misroute a request or weaken security ({@link
 * #STRICT}): there it refuses the config naming the field and the contract it speaks. A config that
 * requires a later contract ({@code version}) is refused naming both versions.
 */
public final class ConfigDecoder {
  /**
   * Where an unknown field is refused, not ignored: it would decide which requests a rule takes
   * (matches), what is denied or sent to an agent (actions, offload, agents), what a request or its
   * response carries and where it goes (header modifiers, rewrite, redirect, CORS), or how traffic
   * is encrypted (TLS). Paths as in {@link ContractField#path()}; each covers everything below it.
   */
  public static final List<String> STRICT =
      List.of(
          "rules[].matches",
          "rules[].actions",
          "rules[].offload",
          "rules[].requestHeaders",
          "rules[].responseHeaders",
          "rules[].rewrite",
          "rules[].redirect",
          "rules[].cors",
          "rules[].upstream.tls",
          "rules[].backends[].upstream.tls",
          "listeners[].tls",
          "agents");

  private final int speaks;
  private final ContractFields fields;

  /**
   * A decoder for a sidecar speaking contract {@code speaks}; {@code fields}: the version table
   * (which fields of later versions it does not know).
   */
  public ConfigDecoder(int speaks, ContractFields fields) {
    if (speaks < ContractVersions.OLDEST_SUPPORTED) {
      throw new IllegalArgumentException(
          "speaks: "
              + speaks
              + " (expected: a contract version from "
              + ContractVersions.OLDEST_SUPPORTED
              + ")");
    }
    this.speaks = speaks;
    this.fields = fields;
  }

  /** The decoder of this build: it speaks {@link ContractVersions#CURRENT}. */
  public static ConfigDecoder current() {
    return new ConfigDecoder(ContractVersions.CURRENT, ContractFields.CURRENT);
  }

  /** The contract version this decoder speaks (what the sidecar announces). */
  public int speaks() {
    return speaks;
  }

  /**
   * A config read, and what of it was ignored.
   *
   * @param config the validated config, revision filled in
   * @param ignored the fields ignored, by path ({@code rules[0].mirror}), in document order
   */
  public record Decoded(SidecarConfig config, List<String> ignored) {
    public Decoded {
      ignored = List.copyOf(ignored);
    }
  }

  /** Reads {@code text} (JSON or YAML); {@code source} names it in errors. */
  public Decoded decode(String text, String source) throws InvalidConfigException {
    if (SidecarConfigCodec.isBlank(text)) {
      throw new InvalidConfigException(
          source,
          List.of(new ConfigProblem("", "empty", "a SidecarConfig: version, listeners, rules")));
    }
    ObjectNode tree = tree(text, source);
    JsonNode declared = tree.get("revision");
    try {
      return decode(tree, source);
    } catch (InvalidConfigException e) {
      // The refusal names the revision it refused: the service holds the poll on it.
      throw e.of(source, declared != null && declared.isTextual() ? declared.asText() : null);
    }
  }

  private Decoded decode(ObjectNode tree, String source) throws InvalidConfigException {
    JsonNode version = tree.get("version");
    if (version != null && version.canConvertToInt()) {
      ConfigProblem tooNew = SidecarConfigValidator.version(version.intValue(), speaks);
      if (tooNew != null && version.intValue() > speaks) {
        throw new InvalidConfigException(source, List.of(tooNew));
      }
    }
    ContractFields.Projection known = fields.project(tree, speaks);
    List<ConfigProblem> refused = new ArrayList<>();
    for (ContractRendering.Needed n : known.needed()) {
      refused.add(
          new ConfigProblem(
              n.path(),
              "a field of contract " + n.field().since(),
              "contract " + speaks + " at most, the one this sidecar speaks"));
    }
    List<String> ignored = new ArrayList<>(known.dropped());
    UnknownFields.sweep(
        tree,
        SidecarConfig.class,
        (path, names) -> {
          if (path.equals("routes")) {
            refused.add(
                new ConfigProblem("routes", "renamed", "rules, the same list under its new name"));
          } else if (strict(path)) {
            refused.add(
                new ConfigProblem(
                    path,
                    "unknown field",
                    "one of "
                        + names
                        + "; this sidecar speaks contract "
                        + speaks
                        + " and refuses a field it does not know where it decides routing or"
                        + " security"));
          } else {
            ignored.add(path);
          }
          return true;
        });
    if (!refused.isEmpty()) {
      throw new InvalidConfigException(source, refused);
    }
    SidecarConfig config;
    try {
      config = SidecarConfigCodec.JSON.treeToValue(tree, SidecarConfig.class);
    } catch (JsonProcessingException e) {
      throw new InvalidConfigException(source, List.of(BindingProblems.describe(e)));
    }
    return new Decoded(SidecarConfigCodec.validated(config, speaks, source), ignored);
  }

  private static ObjectNode tree(String text, String source) throws InvalidConfigException {
    JsonNode tree;
    try {
      tree = SidecarConfigCodec.YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InvalidConfigException(source, List.of(BindingProblems.describe(e)));
    }
    if (!(tree instanceof ObjectNode object)) {
      throw new InvalidConfigException(
          source,
          List.of(
              new ConfigProblem(
                  "",
                  tree == null ? "empty" : tree.getNodeType().toString().toLowerCase(Locale.ROOT),
                  "a SidecarConfig object: version, listeners, rules")));
    }
    return object;
  }

  /** True when an unknown field at {@code path} must be refused. */
  static boolean strict(String path) {
    String schema = path.replaceAll("\\[[0-9]+]", "[]");
    for (String section : STRICT) {
      if (schema.startsWith(section)
          && (schema.length() == section.length()
              || schema.charAt(section.length()) == '.'
              || schema.charAt(section.length()) == '[')) {
        return true;
      }
    }
    return false;
  }
}
