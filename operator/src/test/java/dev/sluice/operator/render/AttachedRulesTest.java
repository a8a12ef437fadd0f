package dev.sluice.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.v1alpha1.HeaderMatch;
import dev.sluice.api.v1alpha1.PathMatch;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.RouteMatch;
import dev.sluice.api.v1alpha1.Rule;
import dev.sluice.api.v1alpha1.ServiceReference;
import dev.sluice.api.v1alpha1.WeightedBackend;
import dev.sluice.operator.testing.Objects;
import dev.sluice.sidecar.config.RouteRule;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigValidator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Invariant: rules HTTPRoutes attach come after the ProxyRoute's own, named after it, with their
 * unavailable backends as the contract's unavailable shares; one the sidecar would refuse is left
 * out alone — the ProxyRoute and the other attached rules are still served.
 */
class AttachedRulesTest {
  static final ProxyRoute WEB =
      Objects.route("web", "web", 8080, "[{name: own, backend: {endpoints: [10.0.0.1:80]}}]");

  static Rule rule(RouteMatch match, List<WeightedBackend> backends) {
    return new Rule(
        null,
        List.of(match),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        backends,
        null,
        null);
  }

  static RouteMatch path(String prefix) {
    return new RouteMatch(
        "www.example.com", new PathMatch(PathMatch.PathMatchType.Prefix, prefix), null, null, null);
  }

  static final WeightedBackend V1 =
      new WeightedBackend(3, new ServiceReference("v1", 8080), null, null, null);

  @Test
  void attachedRulesFollowTheOwnOnesAndOneTheSidecarWouldRefuseIsLeftOutAlone() {
    RouteMatch badHeader =
        new RouteMatch(
            null,
            null,
            null,
            List.of(new HeaderMatch("not a token", HeaderMatch.HeaderMatchType.Exact, "x")),
            null);
    RenderInput input =
        new RenderInput(
            "shop",
            List.of(WEB),
            Map.of(),
            Map.of(new ServiceKey("v1", 8080), new ServicePortEndpoints("shop/v1:http", List.of())),
            Map.of(),
            Map.of(),
            Map.of(
                "web",
                List.of(
                    new AttachedRule(
                        "reviews.0",
                        rule(path("/reviews"), List.of(V1)),
                        List.of(new AttachedRule.Unavailable(1, "spec.rules[0]: gone"))),
                    new AttachedRule("broken.0", rule(badHeader, List.of(V1)), List.of()),
                    new AttachedRule(
                        "ratings.0", rule(path("/ratings"), List.of(V1)), List.of()))));

    Rendering rendering = Renderer.render(input, Renderer.Defaults.STANDARD);

    assertThat(rendering.problems()).isEmpty();
    SidecarConfig config = rendering.config();
    assertThat(config.rules())
        .extracting(RouteRule::name)
        .containsExactly("web.own", "web.reviews.0", "web.ratings.0");
    assertThat(config.rules().get(1).backends())
        .extracting(
            b ->
                b.weight()
                    + " "
                    + (b.upstream() == null ? b.unavailable() : b.upstream().cluster()))
        .containsExactly("3 shop/v1:http", "1 spec.rules[0]: gone");
    assertThat(SidecarConfigValidator.validate(config)).isEmpty();
  }
}
