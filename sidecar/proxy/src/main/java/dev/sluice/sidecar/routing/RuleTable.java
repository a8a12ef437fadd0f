package dev.sluice.sidecar.routing;

import dev.sluice.sidecar.config.RequestMatch;
import dev.sluice.sidecar.config.RouteRule;
import io.netty.handler.codec.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The rules of one listener, in config order; the first rule with a matching {@code matches} entry
 * (or none, meaning every request) wins.
 *
 * @param <T> what a rule resolves to at run time (the generation's bound rule)
 */
public final class RuleTable<T> {
  private final List<Entry<T>> entries;

  /** A rule's matchers, each with what it answers when it accepts (made once: no allocation). */
  private record Entry<T>(List<RequestMatcher> matchers, List<Routed<T>> routes) {}

  /**
   * A request's rule and the match of it that accepted the request (a rewrite or redirect replacing
   * the matched prefix needs to know which).
   *
   * @param rule what the rule resolves to
   * @param match the accepting entry of its {@code matches} (an empty one for a rule without)
   */
  public record Routed<T>(T rule, RequestMatch match) {}

  /** What a rule without matches matches: an empty match. */
  public static final RequestMatch EVERY_REQUEST =
      new RequestMatch(null, null, List.of(), List.of());

  private RuleTable(List<Entry<T>> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Compiles {@code rules}; {@code bind} turns each config rule into its run-time form. */
  public static <T> RuleTable<T> compile(List<RouteRule> rules, Function<RouteRule, T> bind) {
    List<Entry<T>> entries = new ArrayList<>();
    for (RouteRule rule : rules) {
      // No matches: every request, as an empty match takes it, CONNECT and OPTIONS * excepted.
      List<RequestMatch> matches =
          rule.matches().isEmpty() ? List.of(EVERY_REQUEST) : rule.matches();
      List<RequestMatcher> matchers = matches.stream().map(RequestMatcher::compile).toList();
      T target = bind.apply(rule);
      entries.add(
          new Entry<>(matchers, matches.stream().map(m -> new Routed<>(target, m)).toList()));
    }
    return new RuleTable<>(entries);
  }

  /** The first rule accepting the request; null when none does. */
  public @Nullable T match(RequestTarget target, HttpRequest request) {
    Routed<T> routed = route(target, request);
    return routed == null ? null : routed.rule();
  }

  /** The first rule accepting the request, with the match that did; null when none does. */
  public @Nullable Routed<T> route(RequestTarget target, HttpRequest request) {
    for (Entry<T> entry : entries) {
      List<RequestMatcher> matchers = entry.matchers();
      for (int i = 0; i < matchers.size(); i++) {
        if (matchers.get(i).matches(target, request)) {
          return entry.routes().get(i);
        }
      }
    }
    return null;
  }

  public int size() {
    return entries.size();
  }
}
