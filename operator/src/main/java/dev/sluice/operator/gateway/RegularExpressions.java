package dev.sluice.operator.gateway;

import dev.sluice.api.v1alpha1.HeaderMatch;
import dev.sluice.api.v1alpha1.PathMatch;
import dev.sluice.api.v1alpha1.QueryParamMatch;
import dev.sluice.api.v1alpha1.RouteMatch;
import dev.sluice.api.v1alpha1.Rule;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * The regular expressions of an HTTPRoute rule's matches, compiled as the sidecar compiles them
 * (Java's): Gateway API's CRD does not check them, and one the sidecar refused would otherwise make
 * the whole ProxyRoute's config refused.
 */
final class RegularExpressions {
  private RegularExpressions() {}

  /** The first expression that does not compile, named by field; null when all do. */
  static @Nullable Problem check(Rule rule, String field) {
    List<RouteMatch> matches = rule.matches() == null ? List.of() : rule.matches();
    for (int m = 0; m < matches.size(); m++) {
      RouteMatch match = matches.get(m);
      String at = field + ".matches[" + m + "]";
      PathMatch path = match.path();
      if (path != null && path.type() == PathMatch.PathMatchType.RegularExpression) {
        Problem p = compile(at + ".path.value", path.value());
        if (p != null) {
          return p;
        }
      }
      List<HeaderMatch> headers = match.headers() == null ? List.of() : match.headers();
      for (int h = 0; h < headers.size(); h++) {
        HeaderMatch header = headers.get(h);
        if (header.type() == HeaderMatch.HeaderMatchType.RegularExpression) {
          Problem p = compile(at + ".headers[" + h + "].value", header.value());
          if (p != null) {
            return p;
          }
        }
      }
      List<QueryParamMatch> params = match.queryParams() == null ? List.of() : match.queryParams();
      for (int q = 0; q < params.size(); q++) {
        QueryParamMatch param = params.get(q);
        if (param.type() == QueryParamMatch.Type.RegularExpression) {
          Problem p = compile(at + ".queryParams[" + q + "].value", param.value());
          if (p != null) {
            return p;
          }
        }
      }
    }
    return null;
  }

  private static @Nullable Problem compile(String field, @Nullable String expression) {
    try {
      Pattern.compile(String.valueOf(expression));
      return null;
    } catch (PatternSyntaxException e) {
      return new Problem(
          GatewayReasons.UNSUPPORTED_VALUE,
          field,
          String.valueOf(expression),
          "a Java regular expression (" + e.getDescription() + ")");
    }
  }
}
