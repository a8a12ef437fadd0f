package dev.sluice.sidecar.filters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.Cors;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A CORS filter allows exactly the origins GEP-1767 says (a wildcard stands for one or more leading
 * labels, a scheme's default port is the same origin), and with credentials no field says {@code
 * *}.
 */
class CorsPolicyTest {
  private static final CorsOrigins ORIGINS =
      new CorsOrigins(
          List.of("https://app.example.com", "https://*.example.org", "http://local.test:8080"));

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "https://app.example.com, true",
    "HTTPS://APP.example.com, true",
    "https://app.example.com:443, true",
    "https://app.example.com:8443, false",
    "http://app.example.com, false",
    "https://x.app.example.com, false",
    "https://a.example.org, true",
    "https://a.b.example.org, true",
    "https://example.org, false",
    "https://.example.org, false",
    "https://evil.com/.example.org, false",
    "https://u@a.example.org, false",
    "https://a.example.org.evil.com, false",
    "http://local.test:8080, true",
    "http://local.test, false",
    "null, false",
  })
  void allowsExactlyTheOriginsGepSays(String origin, boolean allowed) {
    assertThat(ORIGINS.allows(origin)).isEqualTo(allowed);
  }

  @ParameterizedTest(name = "credentials {0}")
  @CsvSource({"false, '*', '*', '*'", "true, https://a.example, PUT, 'x-a, x-b'"})
  void aWildcardIsEchoedOnlyWithCredentials(
      boolean credentials, String origin, String methods, String headers) {
    CorsPolicy policy =
        Objects.requireNonNull(
            CorsPolicy.of(
                new Cors(
                    List.of("*"), credentials, List.of("*"), List.of("*"), List.of("*"), null)));
    CorsPolicy.CorsAnswer preflight =
        policy.answer("OPTIONS", "https://a.example", "PUT", "x-a, x-b");
    assertThat(preflight.preflight()).isTrue();
    assertThat(fields(preflight.fields()))
        .contains(
            "access-control-allow-origin: " + origin,
            "access-control-allow-methods: " + methods,
            "access-control-allow-headers: " + headers,
            "access-control-max-age: 5",
            "vary: origin");
    List<String> actual = fields(policy.answer("GET", "https://a.example", null, null).fields());
    assertThat(actual.contains("access-control-expose-headers: *")).isEqualTo(!credentials);
    assertThat(actual.contains("access-control-allow-credentials: true")).isEqualTo(credentials);
  }

  private static List<String> fields(HeaderEdits edits) {
    List<String> out = new ArrayList<>();
    edits.writeTo((name, value) -> out.add(name + ": " + value));
    return out;
  }
}
