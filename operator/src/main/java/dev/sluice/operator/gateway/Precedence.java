package dev.sluice.operator.gateway;

import dev.sluice.api.v1alpha1.PathMatch;
import dev.sluice.api.v1alpha1.RouteMatch;
import java.util.Comparator;
import org.jspecify.annotations.Nullable;

/**
 * Gateway API's order among the matches of the HTTPRoutes attached to one parent: first the
 * hostname (a longer exact hostname, then a longer wildcard one, then none), then the match — an
 * Exact path, a PathPrefix with more characters, a method, more header matches, more query
 * parameter matches — then the older route, the route first by {@code namespace/name}, and the rule
 * and match first in the route's order. RegularExpression paths, whose precedence Gateway API
 * leaves to implementations, come after every Exact and PathPrefix path.
 */
final class Precedence {
  private Precedence() {}

  /**
   * One match of one attached rule, with what orders it.
   *
   * @param host its hostname (null: any)
   * @param match the match (its path already defaulted to PathPrefix /)
   * @param created the HTTPRoute's creation timestamp (RFC 3339, sorts as text)
   * @param route {@code namespace/name} of the HTTPRoute
   * @param rule the rule's index in the route
   * @param index the match's index in the rule
   */
  record Key(
      @Nullable String host, RouteMatch match, String created, String route, int rule, int index) {}

  static final Comparator<Key> ORDER =
      Comparator.comparingInt((Key k) -> -exactHostLength(k.host()))
          .thenComparingInt(k -> -(k.host() == null ? 0 : k.host().length()))
          .thenComparingInt(k -> pathRank(k.match().path()))
          .thenComparingInt(k -> -prefixLength(k.match().path()))
          .thenComparingInt(k -> k.match().methods() == null ? 1 : 0)
          .thenComparingInt(k -> -size(k.match().headers()))
          .thenComparingInt(k -> -size(k.match().queryParams()))
          .thenComparing(Key::created)
          .thenComparing(Key::route)
          .thenComparingInt(Key::rule)
          .thenComparingInt(Key::index);

  private static int exactHostLength(@Nullable String host) {
    return host == null || host.startsWith("*.") ? 0 : host.length();
  }

  /** Exact first, then PathPrefix, then RegularExpression. */
  private static int pathRank(@Nullable PathMatch path) {
    if (path == null || path.type() == null) {
      return 1;
    }
    return switch (path.type()) {
      case Exact -> 0;
      case Prefix -> 1;
      case RegularExpression -> 2;
    };
  }

  private static int prefixLength(@Nullable PathMatch path) {
    if (path == null) {
      return 1; // PathPrefix "/"
    }
    return path.type() == PathMatch.PathMatchType.RegularExpression ? 0 : path.value().length();
  }

  private static int size(java.util.@Nullable List<?> list) {
    return list == null ? 0 : list.size();
  }
}
