package dev.sluice.operator.render;

import dev.sluice.api.v1alpha1.Rule;
import java.util.List;

/**
 * A rule an HTTPRoute attached to a ProxyRoute, as the stored version's rule: one match (with its
 * host, when the route's hostnames give one), rendered after the ProxyRoute's own rules in the
 * order Gateway API's precedence gives. Its backends that did not resolve are not in {@code rule}:
 * they are {@code unavailable}, each a share of its requests answered 500.
 *
 * @param name the contract rule's name, after the ProxyRoute's ({@code <proxyroute>.<name>})
 * @param rule its matches, filters and resolved backends
 * @param unavailable the backendRefs that did not resolve
 */
public record AttachedRule(String name, Rule rule, List<Unavailable> unavailable) {
  public AttachedRule {
    unavailable = List.copyOf(unavailable);
  }

  /**
   * A backendRef that did not resolve: its weight, and why (in the contract and the 500's body).
   */
  public record Unavailable(int weight, String reason) {}
}
