package dev.sluice.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.sidecar.config.SidecarConfig;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every secret of the sidecar contract is redacted: walking the contract's records from {@link
 * SidecarConfig}, each text field whose name says key, token, password or secret is one {@link
 * Redaction} takes out — a new secret field in the contract fails here until it is redacted.
 */
class RedactionTest {
  @Test
  void everySecretFieldOfTheContractIsRedacted() {
    Set<String> secretLooking = new TreeSet<>();
    Set<Class<?>> seen = new HashSet<>();
    Deque<Class<?>> todo = new ArrayDeque<>();
    todo.add(SidecarConfig.class);
    while (!todo.isEmpty()) {
      Class<?> type = todo.pop();
      if (!type.isRecord() || !seen.add(type)) {
        continue;
      }
      for (RecordComponent c : type.getRecordComponents()) {
        String lower = c.getName().toLowerCase(Locale.ROOT);
        if (c.getType() == String.class
            && (lower.contains("key") && !lower.endsWith("file")
                || lower.contains("token")
                || lower.contains("password")
                || lower.contains("secret"))) {
          secretLooking.add(c.getName());
        }
        enqueue(c.getGenericType(), todo);
      }
    }
    assertThat(secretLooking).isNotEmpty().allMatch(Redaction::isSecret);
    assertThat(Redaction.CONTRACT_SECRETS).isSubsetOf(secretLooking);
  }

  @Test
  void aRedactedValueSaysSoAndNothingElseChanges() throws Exception {
    JsonNode config =
        JsonMapper.builder()
            .build()
            .readTree(
                "{\"listeners\":[{\"tls\":{\"certificatePem\":\"CERT\",\"privateKeyPem\":\"KEY\"}}],"
                    + "\"agents\":[{\"name\":\"waf\",\"authToken\":\"t\"}]}");
    JsonNode redacted = Redaction.redact(config);
    assertThat(redacted.toString())
        .isEqualTo(
            "{\"listeners\":[{\"tls\":{\"certificatePem\":\"CERT\",\"privateKeyPem\":\"<redacted>\"}}],"
                + "\"agents\":[{\"name\":\"waf\",\"authToken\":\"<redacted>\"}]}");
    assertThat(config.toString()).contains("KEY");
  }

  private static void enqueue(Type type, Deque<Class<?>> todo) {
    if (type instanceof Class<?> c) {
      todo.add(c);
    } else if (type instanceof ParameterizedType p) {
      for (Type arg : p.getActualTypeArguments()) {
        enqueue(arg, todo);
      }
    }
  }
}
