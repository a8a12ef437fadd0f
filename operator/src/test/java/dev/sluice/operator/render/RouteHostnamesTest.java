package dev.sluice.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.HeaderCondition;
import dev.sluice.sidecar.config.PathCondition;
import dev.sluice.sidecar.config.RequestMatch;
import java.util.List;
import org.junit.jupiter.api.Test;

/** spec.hostnames as each match's host: what the contract can say of HTTPRoute's hostnames. */
class RouteHostnamesTest {
  static final RequestMatch CART =
      new RequestMatch(
          null,
          new PathCondition(PathCondition.Type.Prefix, "/cart"),
          List.of("GET"),
          List.of(new HeaderCondition("x-canary", HeaderCondition.Type.Present, null)));

  @Test
  void withoutHostnamesTheMatchesAreUnchanged() {
    assertThat(RouteHostnames.apply(List.of(), List.of(CART))).containsExactly(CART);
    assertThat(RouteHostnames.apply(List.of(), List.of())).isEmpty();
  }

  @Test
  void eachMatchHoldsOncePerHostname() {
    List<RequestMatch> out =
        RouteHostnames.apply(List.of("shop.example.com", "*.shop.example.com"), List.of(CART));
    assertThat(out)
        .extracting(RequestMatch::host)
        .containsExactly("shop.example.com", "*.shop.example.com");
    assertThat(out)
        .allSatisfy(
            m -> {
              assertThat(m.path()).isEqualTo(CART.path());
              assertThat(m.methods()).isEqualTo(CART.methods());
              assertThat(m.headers()).isEqualTo(CART.headers());
            });
  }

  @Test
  void aRuleForEveryRequestMatchesEveryHostnameOnly() {
    assertThat(RouteHostnames.apply(List.of("a.example", "b.example"), List.of()))
        .extracting(RequestMatch::host, RequestMatch::path)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a.example", null),
            org.assertj.core.groups.Tuple.tuple("b.example", null));
  }
}
