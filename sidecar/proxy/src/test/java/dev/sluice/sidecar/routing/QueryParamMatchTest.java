package dev.sluice.sidecar.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Query parameter matches as Gateway API's HTTPQueryParamMatch: names exact and case-sensitive, the
 * first occurrence of a repeated parameter, values percent-decoded; and the table says which match
 * of a rule accepted the request.
 */
class QueryParamMatchTest {
  private static HttpRequest get(String uri) {
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    request.headers().set("host", "shop.example");
    return request;
  }

  private static final String RULES =
      """
      - name: exact
        listener: http
        matches: [{queryParams: [{name: tenant, value: "a b"}, {name: v, value: "2"}]}]
        upstream: {endpoints: [127.0.0.1:1]}
      - name: regex
        listener: http
        matches: [{queryParams: [{name: debug, type: RegularExpression, value: "true|1"}]}]
        upstream: {endpoints: [127.0.0.1:1]}
      - name: rest
        listener: http
        upstream: {endpoints: [127.0.0.1:1]}
      """;

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "/?tenant=a+b&v=2, exact",
    "/?v=2&tenant=a%20b, exact",
    "/?tenant=a%20b&v=2&v=3, exact",
    "/?v=3&v=2&tenant=a+b, rest",
    "/?Tenant=a+b&v=2, rest",
    "/?tenant=a+b, rest",
    "/?tenant=a%2Bb&v=2, rest",
    "/?%74enant=a+b&v=2, exact",
    "/?tenant=a+b&v=2&x=%zz, exact",
    "/?debug=1, regex",
    "/?debug=true&debug=0, regex",
    "/?debug=0&debug=true, rest",
    "/?debug, rest",
    "/?debug=, rest",
    "/, rest",
  })
  void theFirstOccurrenceDecodedDecides(String uri, String rule) throws Exception {
    HttpRequest request = get(uri);
    assertThat(RuleTableTest.table(RULES).match(RequestTarget.of(request), request))
        .isEqualTo(rule);
  }

  @Test
  void theTableSaysWhichMatchAccepted() throws Exception {
    RuleTable<String> table =
        RuleTableTest.table(
            """
            - name: api
              listener: http
              matches:
                - path: {type: Prefix, value: /a}
                  headers: [{name: x-beta, type: Present}]
                - path: {type: Prefix, value: /a/b}
              upstream: {endpoints: [127.0.0.1:1]}
            """);
    HttpRequest plain = get("/a/b/c");
    RuleTable.Routed<String> routed = table.route(RequestTarget.of(plain), plain);
    assertThat(routed).isNotNull();
    assertThat(routed.rule()).isEqualTo("api");
    assertThat(routed.match().path().value()).isEqualTo("/a/b");
    HttpRequest beta = get("/a/b/c");
    beta.headers().set("x-beta", "1");
    assertThat(table.route(RequestTarget.of(beta), beta).match().path().value()).isEqualTo("/a");
  }
}
