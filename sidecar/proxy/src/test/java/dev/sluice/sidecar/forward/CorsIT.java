package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sidecar.accesslog.CapturedAccessLog;
import dev.sluice.sidecar.testing.Curl;
import dev.sluice.sidecar.testing.RunningSidecar;
import dev.sluice.sidecar.testing.ScriptedUpstream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Invariant: a rule's CORS filter (GEP-1767) answers a preflight itself over HTTP/1.1 and h2c —
 * 200, no body, never forwarded, logged {@code --} {@code cors_preflight} — with the allowed
 * origin, methods, headers and max age, or without any CORS field for an origin not allowed; an
 * actual request is forwarded and its response carries the origin's fields (the upstream's own
 * dropped) and {@code Vary: Origin}; with credentials no field says {@code *}.
 */
class CorsIT {
  static ScriptedUpstream upstream;
  static final Queue<String> forwarded = new ConcurrentLinkedQueue<>();
  static final CapturedAccessLog log = new CapturedAccessLog();
  static RunningSidecar sidecar;

  @BeforeAll
  static void start() throws Exception {
    upstream =
        new ScriptedUpstream(
            (in, out) -> {
              String head = ScriptedUpstream.readHead(in);
              forwarded.add(head.substring(0, head.indexOf('\r')));
              ScriptedUpstream.write(
                  out,
                  "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n"
                      + "access-control-allow-origin: https://upstream.example\r\n"
                      + "x-trace: t1\r\n\r\nok");
            });
    sidecar =
        new RunningSidecar(
            """
            version: 4
            admin: {address: 127.0.0.1:0}
            listeners: [{name: http, address: 127.0.0.1:0}]
            rules:
              - name: shop
                listener: http
                matches: [{path: {type: Prefix, value: /shop}}]
                upstream: {endpoints: [%1$s]}
                cors:
                  allowOrigins: ["https://app.example.com", "https://*.example.org"]
                  allowCredentials: true
                  allowMethods: [GET, PUT]
                  allowHeaders: ["*"]
                  exposeHeaders: [x-trace]
                  maxAge: 600
              - name: public
                listener: http
                upstream: {endpoints: [%1$s]}
                cors: {allowOrigins: ["*"], allowMethods: ["*"], allowHeaders: [x-id]}
            """
                .formatted(upstream.address()),
            log.output());
  }

  @AfterAll
  static void stop() throws Exception {
    sidecar.close();
    upstream.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--http1.1", "--http2-prior-knowledge"})
  void aPreflightFromAnAllowedOriginIsAnsweredNotForwarded(String protocol) throws Exception {
    forwarded.clear();
    Response preflight =
        curl(
            "/shop/cart",
            protocol,
            "-X",
            "OPTIONS",
            "-H",
            "Origin: https://app.example.com",
            "-H",
            "Access-Control-Request-Method: PUT",
            "-H",
            "Access-Control-Request-Headers: x-id, content-type");
    assertThat(preflight.status()).isEqualTo(200);
    assertThat(preflight.body()).isEmpty();
    assertThat(preflight.first("access-control-allow-origin")).isEqualTo("https://app.example.com");
    assertThat(preflight.first("access-control-allow-credentials")).isEqualTo("true");
    assertThat(preflight.first("access-control-allow-methods")).isEqualTo("GET, PUT");
    // "*" with credentials: the headers asked for, echoed
    assertThat(preflight.first("access-control-allow-headers")).isEqualTo("x-id, content-type");
    assertThat(preflight.first("access-control-max-age")).isEqualTo("600");
    assertThat(preflight.all("vary")).containsExactly("origin");
    assertThat(forwarded).as("a preflight never goes upstream").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--http1.1", "--http2-prior-knowledge"})
  void aPreflightAskingForAMethodNotAllowedGetsTheAllowedOnes(String protocol) throws Exception {
    forwarded.clear();
    Response preflight =
        curl(
            "/shop/cart",
            protocol,
            "-X",
            "OPTIONS",
            "-H",
            "Origin: https://a.b.example.org",
            "-H",
            "Access-Control-Request-Method: DELETE");
    assertThat(preflight.status()).isEqualTo(200);
    assertThat(preflight.first("access-control-allow-origin")).isEqualTo("https://a.b.example.org");
    // the browser compares: DELETE is not among them
    assertThat(preflight.first("access-control-allow-methods")).isEqualTo("GET, PUT");
    assertThat(preflight.first("access-control-allow-headers")).isNull();
    assertThat(forwarded).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--http1.1", "--http2-prior-knowledge"})
  void aPreflightFromAnOriginNotAllowedGetsNoCorsFieldAndIsNotForwarded(String protocol)
      throws Exception {
    forwarded.clear();
    for (String origin :
        List.of("https://evil.example.com", "http://app.example.com", "https://example.org")) {
      Response preflight =
          curl(
              "/shop/cart",
              protocol,
              "-X",
              "OPTIONS",
              "-H",
              "Origin: " + origin,
              "-H",
              "Access-Control-Request-Method: GET");
      assertThat(preflight.status()).as(origin).isEqualTo(200);
      assertThat(preflight.names()).as(origin).noneMatch(n -> n.startsWith("access-control-"));
      assertThat(preflight.all("vary")).containsExactly("origin");
    }
    assertThat(forwarded).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--http1.1", "--http2-prior-knowledge"})
  void anActualRequestIsForwardedAndItsResponseCarriesTheOriginsFields(String protocol)
      throws Exception {
    forwarded.clear();
    Response allowed = curl("/shop/items", protocol, "-H", "Origin: https://app.example.com");
    assertThat(allowed.status()).isEqualTo(200);
    assertThat(allowed.body()).isEqualTo("ok");
    // the upstream's own field is dropped: only the rule's
    assertThat(allowed.all("access-control-allow-origin"))
        .containsExactly("https://app.example.com");
    assertThat(allowed.first("access-control-allow-credentials")).isEqualTo("true");
    assertThat(allowed.first("access-control-expose-headers")).isEqualTo("x-trace");
    assertThat(allowed.first("access-control-max-age")).isNull();
    assertThat(allowed.all("vary")).containsExactly("origin");

    Response denied = curl("/shop/items", protocol, "-H", "Origin: https://evil.example.com");
    assertThat(denied.status()).isEqualTo(200);
    assertThat(denied.names()).noneMatch(n -> n.startsWith("access-control-"));
    assertThat(denied.all("vary")).containsExactly("origin");

    // OPTIONS without Access-Control-Request-Method is no preflight: it goes upstream
    Response options =
        curl("/shop/items", protocol, "-X", "OPTIONS", "-H", "Origin: https://app.example.com");
    assertThat(options.body()).isEqualTo("ok");
    assertThat(forwarded)
        .containsExactly(
            "GET /shop/items HTTP/1.1", "GET /shop/items HTTP/1.1", "OPTIONS /shop/items HTTP/1.1");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--http1.1", "--http2-prior-knowledge"})
  void withoutCredentialsAnyOriginIsAStar(String protocol) throws Exception {
    Response actual = curl("/other", protocol, "-H", "Origin: https://anyone.example");
    assertThat(actual.first("access-control-allow-origin")).isEqualTo("*");
    assertThat(actual.first("access-control-allow-credentials")).isNull();

    Response preflight =
        curl(
            "/other",
            protocol,
            "-X",
            "OPTIONS",
            "-H",
            "Origin: https://anyone.example",
            "-H",
            "Access-Control-Request-Method: PATCH",
            "-H",
            "Access-Control-Request-Headers: x-other");
    assertThat(preflight.first("access-control-allow-origin")).isEqualTo("*");
    assertThat(preflight.first("access-control-allow-methods")).isEqualTo("*");
    // the browser compares: x-other is not among them
    assertThat(preflight.first("access-control-allow-headers")).isEqualTo("x-id");
    assertThat(preflight.first("access-control-max-age")).isEqualTo("5");

    Response noOrigin = curl("/other", protocol);
    assertThat(noOrigin.names()).noneMatch(n -> n.startsWith("access-control-"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--http1.1", "--http2-prior-knowledge"})
  void aPreflightIsLoggedAsAnsweredByTheRule(String protocol) throws Exception {
    int before = exchanges; // each curl of this class is one exchange, one line
    curl(
        "/shop/x",
        protocol,
        "-X",
        "OPTIONS",
        "-H",
        "Origin: https://nope.example",
        "-H",
        "Access-Control-Request-Method: GET");
    JsonNode line = log.lines(before + 1).get(before);
    assertThat(line.get("rule").asText()).isEqualTo("shop");
    assertThat(line.get("termination").asText()).isEqualTo("--");
    assertThat(line.get("cause").asText()).isEqualTo("cors_preflight");
    assertThat(line.get("status").asInt()).isEqualTo(200);
  }

  private static int exchanges;

  /** A response as curl received it: status, body, every header field by lower-case name. */
  record Response(int status, String body, Map<String, List<String>> fields) {
    @org.jspecify.annotations.Nullable
    String first(String name) {
      List<String> values = fields.get(name);
      return values == null ? null : values.get(0);
    }

    List<String> all(String name) {
      return fields.getOrDefault(name, List.of());
    }

    List<String> names() {
      return new ArrayList<>(fields.keySet());
    }
  }

  private static Response curl(String path, String... extra) throws Exception {
    Path dump = Files.createTempFile("cors-curl", ".headers");
    try {
      List<String> args = new ArrayList<>(List.of(extra));
      args.addAll(List.of("-D", dump.toString()));
      Curl.Result result = Curl.get(sidecar.url(path), args.toArray(String[]::new));
      exchanges++;
      Map<String, List<String>> fields = new HashMap<>();
      for (String line : Files.readAllLines(dump, StandardCharsets.ISO_8859_1)) {
        int colon = line.indexOf(':');
        if (colon > 0 && !line.startsWith("HTTP/")) {
          fields
              .computeIfAbsent(
                  line.substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
              .add(line.substring(colon + 1).trim());
        }
      }
      assertThat(result.status()).as(result.stderr()).isPositive();
      return new Response(result.status(), result.bodyText(), fields);
    } finally {
      Files.deleteIfExists(dump);
    }
  }
}
