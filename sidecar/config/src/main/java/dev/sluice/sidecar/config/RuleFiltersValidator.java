package dev.sluice.sidecar.config;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * The contract-4 part of {@link SidecarConfigValidator}: query parameter matches, header modifiers,
 * rewrites and redirects, with Gateway API's limits and the combinations it refuses.
 */
final class RuleFiltersValidator {
  /** Gateway API's {@code PreciseHostname}: lower-case RFC 1123 labels, no port, no wildcard. */
  private static final Pattern HOSTNAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private static final String HOSTNAME_EXPECTED =
      "a lower-case DNS name (RFC 1123), at most 253 characters, no port";

  /** A path a rewrite or redirect writes: no query, fragment, space or control character. */
  private static final Pattern PATH = Pattern.compile("/[^?#\\s\\x00-\\x1f\\x7f]*");

  private static final int MAX_PATH = 1024;

  /**
   * Names the sidecar writes itself (framing, the connection, the authority) and that a modifier
   * could only break; pseudo-headers aside, which no header name can be.
   */
  static final List<String> OWNED_BY_PROXY =
      List.of(
          "host",
          "content-length",
          "transfer-encoding",
          "connection",
          "keep-alive",
          "upgrade",
          "te",
          "trailer",
          "proxy-connection");

  private RuleFiltersValidator() {}

  static void validate(String path, RouteRule rule, Problems problems) {
    for (int m = 0; m < rule.matches().size(); m++) {
      queryParams(path + ".matches[" + m + "].queryParams", rule.matches().get(m), problems);
    }
    modifier(path + ".requestHeaders", rule.requestHeaders(), problems);
    modifier(path + ".responseHeaders", rule.responseHeaders(), problems);
    UrlRewrite rewrite = rule.rewrite();
    if (rewrite != null) {
      hostname(path + ".rewrite.hostname", rewrite.hostname(), problems);
      pathModifier(path + ".rewrite.path", rewrite.path(), rule, path, problems);
    }
    RequestRedirect redirect = rule.redirect();
    if (redirect != null) {
      redirect(path, redirect, rule, problems);
    }
    Cors cors = rule.cors();
    if (cors != null) {
      CorsValidator.validate(path, cors, problems);
    }
  }

  /** Whether {@code rule} needs an upstream: every rule but one that redirects. */
  static boolean needsUpstream(RouteRule rule) {
    return rule.redirect() == null;
  }

  private static void redirect(
      String path, RequestRedirect redirect, RouteRule rule, Problems problems) {
    String at = path + ".redirect";
    hostname(at + ".hostname", redirect.hostname(), problems);
    problems.range(at + ".port", redirect.port(), 1, 65_535);
    if (redirect.statusCode() != 301 && redirect.statusCode() != 302) {
      problems.add(at + ".statusCode", redirect.statusCode(), "301 or 302");
    }
    pathModifier(at + ".path", redirect.path(), rule, path, problems);
    String nothingUpstream =
        " on a rule that redirects: the sidecar answers it, nothing goes upstream";
    if (rule.upstream() != null) {
      problems.addFinding(path + ".upstream", "present", "no upstream" + nothingUpstream);
    }
    if (rule.rewrite() != null) {
      problems.addFinding(
          path + ".rewrite", "present", "no rewrite" + nothingUpstream + " (use redirect.path)");
    }
    if (rule.requestHeaders() != null) {
      problems.addFinding(
          path + ".requestHeaders", "present", "no requestHeaders" + nothingUpstream);
    }
    if (rule.responseHeaders() != null) {
      problems.addFinding(
          path + ".responseHeaders",
          "present",
          "no responseHeaders" + nothingUpstream + " (they change upstream responses only)");
    }
  }

  private static void queryParams(String path, RequestMatch match, Problems problems) {
    List<QueryParamCondition> conditions = match.queryParams();
    if (conditions.size() > QueryParamCondition.MAX_PER_MATCH) {
      problems.addFinding(
          path,
          conditions.size() + " conditions",
          "at most " + QueryParamCondition.MAX_PER_MATCH + " per match");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < conditions.size(); i++) {
      String at = path + "[" + i + "]";
      QueryParamCondition condition = conditions.get(i);
      String name = condition.name();
      if (problems.required(at + ".name", name, "a query parameter name")) {
        if (!SidecarConfigValidator.HEADER_NAME.matcher(name).matches()) {
          problems.add(at + ".name", name, "a query parameter name (RFC 9110 token)");
        } else if (!names.add(name)) {
          problems.add(
              at + ".name", name, "unique among " + path + "[].name (names compare exactly)");
        }
      }
      String value = condition.value();
      if (!problems.required(at + ".value", value, "a value to compare with")) {
        continue;
      }
      if (value.isEmpty()) {
        problems.add(at + ".value", value, "a value of at least one character");
      } else if (condition.type() == QueryParamCondition.Type.RegularExpression) {
        try {
          Pattern.compile(value);
        } catch (PatternSyntaxException e) {
          problems.add(
              at + ".value", value, "a Java regular expression (" + e.getDescription() + ")");
        }
      }
    }
  }

  private static void modifier(String path, @Nullable HeaderModifier modifier, Problems problems) {
    if (modifier == null) {
      return;
    }
    Set<String> seen = new HashSet<>();
    fields(path + ".set", modifier.set(), seen, path, problems);
    fields(path + ".add", modifier.add(), seen, path, problems);
    size(path + ".remove", modifier.remove(), problems);
    for (int i = 0; i < modifier.remove().size(); i++) {
      name(path + ".remove[" + i + "]", modifier.remove().get(i), seen, path, problems);
    }
  }

  private static void fields(
      String path,
      List<HeaderModifier.Field> fields,
      Set<String> seen,
      String modifier,
      Problems problems) {
    size(path, fields, problems);
    for (int i = 0; i < fields.size(); i++) {
      String at = path + "[" + i + "]";
      HeaderModifier.Field field = fields.get(i);
      name(at + ".name", field.name(), seen, modifier, problems);
      String value = field.value();
      if (problems.required(at + ".value", value, "a header value")
          && !value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c != 0x7f))) {
        problems.add(
            at + ".value", value, "a header value without control characters other than tab");
      }
    }
  }

  private static void size(String path, List<?> list, Problems problems) {
    if (list.size() > HeaderModifier.MAX_PER_LIST) {
      problems.addFinding(
          path, list.size() + " entries", "at most " + HeaderModifier.MAX_PER_LIST + " entries");
    }
  }

  /** A modifier's name: a header name the proxy does not own, once across the modifier's lists. */
  private static void name(
      String path, String name, Set<String> seen, String modifier, Problems problems) {
    if (name != null && name.startsWith(":")) {
      problems.add(path, name, ownedExpected());
      return;
    }
    if (!SidecarConfigValidator.headerName(path, name, problems)) {
      return;
    }
    String key = name.toLowerCase(Locale.ROOT);
    if (OWNED_BY_PROXY.contains(key)) {
      problems.add(path, name, ownedExpected());
    } else if (!seen.add(key)) {
      problems.add(
          path,
          name,
          "a name used once across "
              + modifier
              + ".set, .add and .remove (names compare case-insensitively)");
    }
  }

  private static String ownedExpected() {
    return "a header name other than a pseudo-header and "
        + String.join(", ", OWNED_BY_PROXY)
        + ": the sidecar writes those itself (use rewrite.hostname for the host)";
  }

  private static void hostname(String path, @Nullable String hostname, Problems problems) {
    if (hostname != null && (hostname.length() > 253 || !HOSTNAME.matcher(hostname).matches())) {
      problems.add(path, hostname, HOSTNAME_EXPECTED);
    }
  }

  private static void pathModifier(
      String path,
      @Nullable PathModifier modifier,
      RouteRule rule,
      String rulePath,
      Problems problems) {
    if (modifier == null) {
      return;
    }
    if (!problems.required(
        path + ".type", modifier.type(), "ReplaceFullPath or ReplacePrefixMatch")) {
      return;
    }
    String value = modifier.value();
    boolean prefix = modifier.type() == PathModifier.Type.ReplacePrefixMatch;
    if (problems.required(path + ".value", value, "a path starting with '/'")
        && !(prefix && value.isEmpty())
        && (value.length() > MAX_PATH || !PATH.matcher(value).matches())) {
      problems.add(
          path + ".value",
          value,
          "a path starting with '/', at most "
              + MAX_PATH
              + " characters, without '?', '#', spaces or control characters"
              + (prefix ? " (or empty: the matched prefix removed)" : ""));
    }
    if (prefix) {
      String without = withoutPathPrefix(rule, rulePath);
      if (without != null) {
        problems.add(
            path + ".type",
            modifier.type().name(),
            "ReplaceFullPath, or a rule whose matches all have a path of type Prefix ("
                + without
                + ")");
      }
    }
  }

  /** The first of {@code rule}'s matches without a path Prefix, described; null when none. */
  private static @Nullable String withoutPathPrefix(RouteRule rule, String rulePath) {
    if (rule.matches().isEmpty()) {
      return rulePath + ".matches is empty";
    }
    for (int m = 0; m < rule.matches().size(); m++) {
      PathCondition condition = rule.matches().get(m).path();
      if (condition == null || condition.type() != PathCondition.Type.Prefix) {
        return rulePath
            + ".matches["
            + m
            + "] has "
            + (condition == null ? "no path" : "a path of type " + condition.type());
      }
    }
    return null;
  }
}
