package dev.sluice.sidecar.routing;

import dev.sluice.sidecar.config.HeaderCondition;
import dev.sluice.sidecar.config.PathCondition;
import dev.sluice.sidecar.config.QueryParamCondition;
import dev.sluice.sidecar.config.RequestMatch;
import io.netty.handler.codec.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.regex.Pattern;

/** One compiled {@link RequestMatch}: every condition must hold. */
final class RequestMatcher {
  private final List<BiPredicate<RequestTarget, HttpRequest>> conditions;

  private RequestMatcher(List<BiPredicate<RequestTarget, HttpRequest>> conditions) {
    this.conditions = List.copyOf(conditions);
  }

  static RequestMatcher compile(RequestMatch match) {
    List<BiPredicate<RequestTarget, HttpRequest>> conditions = new ArrayList<>();
    if (match.host() != null) {
      conditions.add(host(match.host().toLowerCase(Locale.ROOT)));
    }
    if (match.path() != null) {
      conditions.add(path(match.path()));
    }
    if (!match.methods().isEmpty()) {
      Set<String> methods = Set.copyOf(match.methods());
      conditions.add((target, request) -> methods.contains(target.method()));
    }
    for (HeaderCondition header : match.headers()) {
      conditions.add(header(header));
    }
    for (QueryParamCondition parameter : match.queryParams()) {
      conditions.add(queryParam(parameter));
    }
    // CONNECT (a tunnel to anywhere) and OPTIONS * (about the server, not a resource) are no
    // requests a reverse proxy passes on by default: only a match listing the method takes them,
    // never a catch-all.
    if (!match.methods().contains("CONNECT")) {
      conditions.add((target, request) -> !target.connect());
    }
    if (!match.methods().contains("OPTIONS")) {
      conditions.add((target, request) -> !target.asterisk());
    }
    return new RequestMatcher(conditions);
  }

  /** Header conditions read the request's fields; the others only {@code target}. */
  boolean matches(RequestTarget target, HttpRequest request) {
    for (BiPredicate<RequestTarget, HttpRequest> condition : conditions) {
      if (!condition.test(target, request)) {
        return false;
      }
    }
    return true;
  }

  private static BiPredicate<RequestTarget, HttpRequest> host(String host) {
    if (host.startsWith("*.")) {
      String suffix = host.substring(1); // ".example.com"
      return (target, request) ->
          target.host().endsWith(suffix) && target.host().length() > suffix.length();
    }
    return (target, request) -> target.host().equals(host);
  }

  private static BiPredicate<RequestTarget, HttpRequest> path(PathCondition condition) {
    String value = condition.value();
    return switch (condition.type()) {
      case Exact -> (target, request) -> target.path().equals(value);
      case Prefix -> {
        String prefix = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        yield (target, request) ->
            prefix.isEmpty()
                || target.path().equals(prefix)
                || (target.path().startsWith(prefix)
                    && target.path().charAt(prefix.length()) == '/');
      }
      case RegularExpression -> {
        Pattern pattern = Pattern.compile(value);
        yield (target, request) -> pattern.matcher(target.path()).matches();
      }
    };
  }

  /** The first occurrence of the parameter, decoded (see {@link QueryParameters}). */
  private static BiPredicate<RequestTarget, HttpRequest> queryParam(QueryParamCondition condition) {
    String name = condition.name();
    String value = condition.value();
    return switch (condition.type()) {
      case Exact -> (target, request) -> value.equals(QueryParameters.first(target.query(), name));
      case RegularExpression -> {
        Pattern pattern = Pattern.compile(value);
        yield (target, request) -> {
          String found = QueryParameters.first(target.query(), name);
          return found != null && pattern.matcher(found).matches();
        };
      }
    };
  }

  private static BiPredicate<RequestTarget, HttpRequest> header(HeaderCondition condition) {
    String name = condition.name();
    return switch (condition.type()) {
      case Present -> (target, request) -> request.headers().contains(name);
      case Exact -> (target, request) -> request.headers().getAll(name).contains(condition.value());
      case RegularExpression -> {
        Pattern pattern = Pattern.compile(condition.value());
        yield (target, request) ->
            request.headers().getAll(name).stream().anyMatch(v -> pattern.matcher(v).matches());
      }
    };
  }
}
