package dev.sluice.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Set;

/**
 * Takes the secrets out of a rendered config before it is shown: the contract's private keys
 * ({@code listeners[].tls.privateKeyPem}, from the route's TLS Secret) and any field whose name
 * says it holds a key, token, password or secret. A redacted value says so, so a reader sees the
 * field is set.
 */
public final class Redaction {
  public static final String REDACTED = "<redacted>";

  /** Fields of the sidecar contract (dev.sluice.sidecar.config) that hold secrets. */
  public static final Set<String> CONTRACT_SECRETS = Set.of("privateKeyPem");

  private static final Set<String> SECRET_WORDS =
      Set.of("privatekey", "token", "password", "secret");

  private Redaction() {}

  /** A copy of {@code config} with every secret value replaced by {@value #REDACTED}. */
  public static JsonNode redact(JsonNode config) {
    JsonNode copy = config.deepCopy();
    walk(copy);
    return copy;
  }

  /** Whether a field of this name is redacted. */
  public static boolean isSecret(String field) {
    if (CONTRACT_SECRETS.contains(field)) {
      return true;
    }
    String lower = field.toLowerCase(Locale.ROOT);
    return SECRET_WORDS.stream().anyMatch(lower::contains);
  }

  private static void walk(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object
          .properties()
          .forEach(
              e -> {
                if (isSecret(e.getKey()) && !e.getValue().isNull()) {
                  e.setValue(object.textNode(REDACTED));
                } else {
                  walk(e.getValue());
                }
              });
    } else if (node instanceof ArrayNode array) {
      array.forEach(Redaction::walk);
    }
  }
}
