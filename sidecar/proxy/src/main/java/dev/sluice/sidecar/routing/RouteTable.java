package dev.sluice.sidecar.routing;

import dev.sluice.sidecar.config.Route;
import io.netty.handler.codec.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The routes of one listener, in config order; the first route with a matching {@code matches}
 * entry (or none, meaning every request) wins.
 *
 * @param <T> what a route resolves to at run time (the generation's bound route)
 */
public final class RouteTable<T> {
  private final List<Entry<T>> entries;

  private record Entry<T>(List<RequestMatcher> matchers, T target) {}

  private RouteTable(List<Entry<T>> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Compiles {@code routes}; {@code bind} turns each config route into its run-time form. */
  public static <T> RouteTable<T> compile(List<Route> routes, Function<Route, T> bind) {
    List<Entry<T>> entries = new ArrayList<>();
    for (Route route : routes) {
      List<RequestMatcher> matchers =
          route.matches().stream().map(RequestMatcher::compile).toList();
      entries.add(new Entry<>(matchers, bind.apply(route)));
    }
    return new RouteTable<>(entries);
  }

  /** The first route accepting the request; null when none does. */
  public @Nullable T match(RequestTarget target, HttpRequest request) {
    for (Entry<T> entry : entries) {
      if (entry.matchers().isEmpty()) {
        return entry.target();
      }
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
