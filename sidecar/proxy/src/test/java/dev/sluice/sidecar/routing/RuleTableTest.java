package dev.sluice.sidecar.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.RouteRule;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleTableTest {
  static RuleTable<String> table(String rules) throws Exception {
    List<RouteRule> compiled =
        SidecarConfigCodec.readYaml(
                """
                version: 1
                listeners: [{name: http, address: 127.0.0.1:0}]
                rules:
                """
                    + rules.indent(2),
                "test")
            .rules();
    return RuleTable.compile(compiled, RouteRule::name);
  }

  private static String route(RuleTable<String> table, HttpMethod method, String uri) {
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    request.headers().set("host", "shop.example:443");
    return table.match(RequestTarget.of(request), request);
  }

  /** The sidecar is a reverse proxy: no rule without matches becomes a forward proxy. */
  @Test
  void aRuleWithoutMatchesTakesEveryRequestButConnectAndOptionsAsterisk() throws Exception {
    RuleTable<String> table =
        table(
            """
            - name: all
              listener: http
              upstream: {protocol: http1, endpoints: [127.0.0.1:1]}
            """);
    assertThat(route(table, HttpMethod.GET, "/anything")).isEqualTo("all");
    assertThat(route(table, HttpMethod.POST, "/")).isEqualTo("all");
    assertThat(route(table, HttpMethod.OPTIONS, "/x")).isEqualTo("all");
    assertThat(route(table, HttpMethod.CONNECT, "shop.example:443")).isNull();
    assertThat(route(table, HttpMethod.OPTIONS, "*")).isNull();
  }

  @Test
  void aRuleListingConnectTakesIt() throws Exception {
    RuleTable<String> table =
        table(
            """
            - name: tunnels
              listener: http
              matches: [{methods: [CONNECT]}]
              upstream: {protocol: http1, endpoints: [127.0.0.1:1]}
            - name: all
              listener: http
              upstream: {protocol: http1, endpoints: [127.0.0.1:1]}
            """);
    assertThat(route(table, HttpMethod.CONNECT, "shop.example:443")).isEqualTo("tunnels");
    assertThat(route(table, HttpMethod.GET, "/")).isEqualTo("all");
  }
}
