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

  private record Entry<T>(List<RequestMatcher> matchers, T target) {}

  /** What a rule without matches matches: an empty match. */
  private static final RequestMatch EVERY_REQUEST =
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
      entries.add(new Entry<>(matchers, bind.apply(rule)));
    }
    return new RuleTable<>(entries);
  }

  /** The first rule accepting the request; null when none does. */
  public @Nullable T match(RequestTarget target, HttpRequest request) {
    for (Entry<T> entry : entries) {
      for (RequestMatcher matcher : entry.matchers()) {
        if (matcher.matches(target, request)) {
          return entry.target();
        }
      }
    }
    return null;
  }

  public int size() {
    return entries.size();
  }
}
