package dev.sluice.sidecar.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Checks a parsed {@link SidecarConfig} for everything that would make it fail at run time, and
 * reports each problem with its field path. Mirrors the CRDs' schema and CEL rules, plus the
 * cross-references only a resolved snapshot has (rules to listeners and agents).
 */
public final class SidecarConfigValidator {
  /** An RFC 9110 token, optionally with a protocol version ({@code websocket}, {@code foo/2}). */
  private static final Pattern UPGRADE_TOKEN =
      Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+(/[A-Za-z0-9!#$%&'*+.^_`|~-]+)?");

  static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");
  static final Pattern VARIABLE =
      Pattern.compile("(sess|txn|req|res)\\.[A-Za-z0-9_]+\\.[A-Za-z0-9_.]+");
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?");
  private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");
  private static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE");
  private static final String NAME_EXPECTED =
      "a name of letters, digits, '-', '_', '.', at most 63 characters";

  /** Every problem of {@code config} for a sidecar of this build; empty when it can run. */
  public static List<ConfigProblem> validate(SidecarConfig config) {
    return validate(config, ContractVersions.CURRENT);
  }

  /** Every problem of {@code config} for a sidecar speaking contract {@code speaks}. */
  public static List<ConfigProblem> validate(SidecarConfig config, int speaks) {
    Problems problems = new Problems();
    ConfigProblem version = version(config.version(), speaks);
    if (version != null) {
      problems.add(version);
    }
    problems.bindAddress("admin.address", config.admin().address());
    problems.positive("drainTimeout", config.drainTimeout());
    validateListeners(config.listeners(), problems);
    Map<String, Agent> agents = new HashMap<>();
    config.agents().forEach(a -> agents.putIfAbsent(a.name(), a));
    Set<String> listenerNames = new HashSet<>();
    config.listeners().forEach(l -> listenerNames.add(l.name()));
    List<RouteRule> rules = config.rules();
    for (int i = 0; i < rules.size(); i++) {
      validateRule("rules[" + i + "]", rules.get(i), listenerNames, agents, problems);
    }
    problems.unique("rules", rules, RouteRule::name, "name");
    AgentValidator.validate(config.agents(), problems);
    return problems.list();
  }

  /**
   * The problem with a config requiring contract {@code version} for a sidecar speaking {@code
   * speaks}; null when it can run it.
   */
  static @Nullable ConfigProblem version(@Nullable Integer version, int speaks) {
    String range = ContractVersions.OLDEST_SUPPORTED + ".." + speaks;
    if (version == null) {
      return ConfigProblem.of(
          "version", null, "the contract version the config requires, " + range);
    }
    if (version > speaks) {
      return ConfigProblem.of(
          "version",
          version,
          "at most "
              + speaks
              + ", the contract version this sidecar speaks; a config that requires contract "
              + version
              + " needs a newer sidecar image");
    }
    if (version < ContractVersions.OLDEST_SUPPORTED) {
      return ConfigProblem.of("version", version, range);
    }
    return null;
  }

  private static void validateListeners(List<DownstreamListener> listeners, Problems problems) {
    // No listeners is valid: a pod no ProxyRoute selects (yet) runs an idle sidecar that serves
    // only its admin endpoint until a config with listeners arrives.
    for (int i = 0; i < listeners.size(); i++) {
      String path = "listeners[" + i + "]";
      DownstreamListener listener = listeners.get(i);
      name(path + ".name", listener.name(), problems);
      problems.bindAddress(path + ".address", listener.address());
      problems.range(path + ".maxHeaderBytes", listener.maxHeaderBytes(), 1024, 1024 * 1024);
      validateHttp2(path + ".http2", listener.http2(), problems);
      validateTls(path, listener, problems);
      validateLimits(path + ".limits", listener.limits(), problems);
    }
    problems.unique("listeners", listeners, DownstreamListener::name, "name");
    // Port 0 means "any free port": several such listeners never collide.
    problems.unique(
        "listeners",
        listeners,
        l -> l.address() != null && l.address().endsWith(":0") ? null : l.address(),
        "address");
  }

  private static void validateLimits(String path, ListenerLimits limits, Problems problems) {
    problems.positive(path + ".headerReadTimeout", limits.headerReadTimeout());
    problems.positive(path + ".idleTimeout", limits.idleTimeout());
    problems.positive(path + ".stalledWriteTimeout", limits.stalledWriteTimeout());
    problems.range(path + ".maxConnections", limits.maxConnections(), 1, 1_000_000);
  }

  private static void validateHttp2(String path, @Nullable Http2Limits http2, Problems problems) {
    if (http2 == null) {
      return;
    }
    problems.range(path + ".maxConcurrentStreams", http2.maxConcurrentStreams(), 1, 10_000);
    problems.range(path + ".maxResetStreams", http2.maxResetStreams(), 1, 1_000_000);
    problems.range(
        path + ".maxBufferedResponseBytes",
        http2.maxBufferedResponseBytes(),
        Http2Limits.MIN_MAX_BUFFERED_RESPONSE_BYTES,
        Http2Limits.MAX_MAX_BUFFERED_RESPONSE_BYTES);
    Duration window = http2.resetWindow();
    if (window.compareTo(Duration.ofSeconds(1)) < 0
        || window.compareTo(Duration.ofHours(1)) > 0
        || window.toMillis() % 1000 != 0) {
      problems.add(path + ".resetWindow", Durations.format(window), "whole seconds from 1s to 1h");
    }
  }

  private static void validateTls(String path, DownstreamListener listener, Problems problems) {
    ServerTls tls = listener.tls();
    if (listener.protocol() == DownstreamListener.Protocol.HTTP) {
      if (tls != null) {
        problems.addFinding(path + ".tls", "present", "no tls for protocol HTTP (use HTTPS)");
      }
      return;
    }
    if (tls == null) {
      problems.add(path + ".tls", null, "certificate and key for protocol HTTPS");
      return;
    }
    boolean inline = tls.certificatePem() != null || tls.privateKeyPem() != null;
    boolean files = tls.certificateFile() != null || tls.privateKeyFile() != null;
    if (inline == files) {
      problems.addFinding(
          path + ".tls",
          inline ? "both inline PEM and files" : "neither inline PEM nor files",
          "either certificatePem and privateKeyPem, or certificateFile and privateKeyFile");
    } else if (inline) {
      pem(path + ".tls.certificatePem", tls.certificatePem(), "CERTIFICATE", problems);
      pem(path + ".tls.privateKeyPem", tls.privateKeyPem(), "PRIVATE KEY", problems);
    } else {
      problems.required(path + ".tls.certificateFile", tls.certificateFile(), "a PEM file path");
      problems.required(path + ".tls.privateKeyFile", tls.privateKeyFile(), "a PEM file path");
    }
    ClientValidationValidator.validate(
        path + ".tls.clientValidation", tls.clientValidation(), problems);
  }

  private static void pem(String path, @Nullable String value, String label, Problems problems) {
    if (value == null) {
      problems.add(path, null, "a PEM block");
    } else if (!value.contains("-----BEGIN ")) {
      // The value is a secret: name the field, never echo it.
      problems.addFinding(path, "<redacted>", "a PEM block (-----BEGIN ... " + label + "-----)");
    }
  }

  private static void validateRule(
      String path,
      RouteRule rule,
      Set<String> listeners,
      Map<String, Agent> agents,
      Problems problems) {
    name(path + ".name", rule.name(), problems);
    if (problems.required(path + ".listener", rule.listener(), "the name of a listener")
        && !listeners.contains(rule.listener())) {
      problems.add(path + ".listener", rule.listener(), "one of the listeners' names " + listeners);
    }
    for (int m = 0; m < rule.matches().size(); m++) {
      validateMatch(path + ".matches[" + m + "]", rule.matches().get(m), problems);
    }
    // A redirect is answered by the sidecar: RuleFiltersValidator refuses an upstream beside it.
    Upstream upstream = rule.upstream();
    if (upstream != null && !rule.backends().isEmpty()) {
      problems.addFinding(
          path + ".backends",
          "present with upstream",
          "either upstream or backends, not both (backends: weighted upstreams)");
    } else if (upstream != null) {
      validateUpstream(path + ".upstream", upstream, problems);
    } else if (rule.backends().isEmpty() && RuleFiltersValidator.needsUpstream(rule)) {
      problems.add(path + ".upstream", null, "an upstream, or backends");
    }
    TrafficPolicyValidator.validate(path, rule, problems);
    MirrorValidator.validate(path, rule, problems);
    validateTimeouts(path + ".timeouts", rule.timeouts(), problems);
    for (int u = 0; u < rule.upgrades().size(); u++) {
      String token = rule.upgrades().get(u);
      if (token == null || !UPGRADE_TOKEN.matcher(token).matches()) {
        problems.add(path + ".upgrades[" + u + "]", token, "an upgrade token (RFC 9110 token)");
      } else if (token.equalsIgnoreCase("h2c")) {
        problems.add(
            path + ".upgrades[" + u + "]",
            token,
            "a token other than h2c (HTTP/2 clients use prior knowledge or TLS; RFC 9113 3.1)");
      }
    }
    if (rule.maxRequestBodyBytes() != null && rule.maxRequestBodyBytes() < 0) {
      problems.add(path + ".maxRequestBodyBytes", rule.maxRequestBodyBytes(), "bytes >= 0");
    }
    for (int o = 0; o < rule.offload().size(); o++) {
      validateOffload(path + ".offload[" + o + "]", rule.offload().get(o), agents, problems);
    }
    for (int a = 0; a < rule.actions().size(); a++) {
      validateAction(path + ".actions[" + a + "]", rule.actions().get(a), problems);
    }
    if (rule.retry() != null) {
      validateRetry(path + ".retry", rule.retry(), problems);
    }
    RuleTelemetryValidator.validate(path, rule, problems);
    RuleFiltersValidator.validate(path, rule, problems);
  }

  private static void validateTimeouts(String path, Timeouts timeouts, Problems problems) {
    problems.positive(path + ".connect", timeouts.connect());
    problems.positive(path + ".request", timeouts.request());
    problems.positive(path + ".idle", timeouts.idle());
    problems.positive(path + ".tunnelIdle", timeouts.tunnelIdle());
    // Absent is unbounded: a renderer leaves out what its user disabled (Gateway API's "0s").
    problems.positive(path + ".exchange", timeouts.exchange());
    problems.positive(path + ".backendRequest", timeouts.backendRequest());
    Duration exchange = timeouts.exchange();
    Duration backendRequest = timeouts.backendRequest();
    if (exchange != null
        && backendRequest != null
        && !exchange.isZero()
        && !exchange.isNegative()
        && backendRequest.compareTo(exchange) > 0) {
      problems.add(
          path + ".backendRequest",
          Durations.format(backendRequest),
          "at most exchange ("
              + Durations.format(exchange)
              + "): the whole exchange bounds each try");
    }
  }

  private static void validateRetry(String path, RetryPolicy retry, Problems problems) {
    problems.range(path + ".attempts", retry.attempts(), 0, 10);
    for (int i = 0; i < retry.codes().size(); i++) {
      problems.range(path + ".codes[" + i + "]", retry.codes().get(i), 500, 599);
    }
    for (int i = 0; i < retry.on().size(); i++) {
      problems.required(path + ".on[" + i + "]", retry.on().get(i), "Reset or PerTryTimeout");
    }
    for (int i = 0; i < retry.methods().size(); i++) {
      String method = retry.methods().get(i);
      if (method == null || !METHODS.contains(method)) {
        problems.add(path + ".methods[" + i + "]", method, "one of " + METHODS);
      }
    }
    problems.positive(path + ".perTryTimeout", retry.perTryTimeout());
    problems.positive(path + ".backoff", retry.backoff());
    problems.positive(path + ".maxBackoff", retry.maxBackoff());
    if (retry.maxBackoff().compareTo(retry.backoff()) < 0) {
      problems.add(
          path + ".maxBackoff",
          Durations.format(retry.maxBackoff()),
          "at least backoff (" + Durations.format(retry.backoff()) + ")");
    }
    problems.range(path + ".budget.percent", retry.budget().percent(), 0, 100);
    problems.range(path + ".budget.minConcurrent", retry.budget().minConcurrent(), 0, 10_000);
    problems.range(
        path + ".maxReplayBytes", retry.maxReplayBytes(), 0, RetryPolicy.MAX_REPLAY_BYTES);
  }

  private static void validateMatch(String path, RequestMatch match, Problems problems) {
    if (match.host() != null && !match.host().matches("(\\*\\.)?[A-Za-z0-9.-]+")) {
      problems.add(path + ".host", match.host(), "a host name, optionally starting with '*.'");
    }
    PathCondition condition = match.path();
    if (condition != null
        && problems.required(path + ".path.value", condition.value(), "a path or expression")) {
      if (condition.type() == PathCondition.Type.RegularExpression) {
        try {
          Pattern.compile(condition.value());
        } catch (PatternSyntaxException e) {
          problems.add(
              path + ".path.value",
              condition.value(),
              "a Java regular expression (" + e.getDescription() + ")");
        }
      } else if (!condition.value().startsWith("/")) {
        problems.add(path + ".path.value", condition.value(), "a path starting with '/'");
      }
    }
    for (int i = 0; i < match.methods().size(); i++) {
      if (!METHODS.contains(match.methods().get(i))) {
        problems.add(path + ".methods[" + i + "]", match.methods().get(i), "one of " + METHODS);
      }
    }
    for (int i = 0; i < match.headers().size(); i++) {
      validateHeader(path + ".headers[" + i + "]", match.headers().get(i), problems);
    }
  }

  private static void validateHeader(String path, HeaderCondition header, Problems problems) {
    headerName(path + ".name", header.name(), problems);
    if (header.type() == HeaderCondition.Type.Present) {
      if (header.value() != null) {
        problems.add(path + ".value", header.value(), "no value for type Present");
      }
    } else if (problems.required(path + ".value", header.value(), "a value to compare with")
        && header.type() == HeaderCondition.Type.RegularExpression) {
      try {
        Pattern.compile(header.value());
      } catch (PatternSyntaxException e) {
        problems.add(path + ".value", header.value(), "a Java regular expression");
      }
    }
  }

  static void validateUpstream(String path, Upstream upstream, Problems problems) {
    problems.endpointsOrCluster(path, upstream.endpoints(), upstream.cluster());
    if (upstream.tls() != null && upstream.protocol() != Upstream.Protocol.H2) {
      problems.addFinding(
          path + ".tls",
          "present",
          "no tls unless protocol is h2 (protocol is "
              + upstream.protocol().name().toLowerCase(Locale.ROOT)
              + ")");
    }
    problems.range(
        path + ".maxConnectionsPerEndpoint", upstream.maxConnectionsPerEndpoint(), 1, 10_000);
    validateOutlierDetection(path + ".outlierDetection", upstream.outlierDetection(), problems);
  }

  private static void validateOutlierDetection(
      String path, @Nullable OutlierDetection outliers, Problems problems) {
    if (outliers == null) {
      return;
    }
    problems.range(path + ".consecutiveFailures", outliers.consecutiveFailures(), 0, 1000);
    Duration base = outliers.baseEjectionTime();
    if (base.toMillis() < 1 || base.compareTo(OutlierDetection.LONGEST_BASE_EJECTION_TIME) > 0) {
      problems.add(path + ".baseEjectionTime", Durations.format(base), "a duration from 1ms to 1h");
    }
    Duration max = outliers.maxEjectionTime();
    if (max.compareTo(base) < 0 || max.compareTo(OutlierDetection.LONGEST_MAX_EJECTION_TIME) > 0) {
      problems.add(
          path + ".maxEjectionTime",
          Durations.format(max),
          "a duration from baseEjectionTime (" + Durations.format(base) + ") to 24h");
    }
    problems.range(path + ".maxEjectionPercent", outliers.maxEjectionPercent(), 1, 100);
  }

  private static void validateOffload(
      String path, RuleOffload offload, Map<String, Agent> agents, Problems problems) {
    if (!problems.required(path + ".agent", offload.agent(), "the name of an agent")) {
      return;
    }
    Agent agent = agents.get(offload.agent());
    if (agent == null) {
      problems.add(path + ".agent", offload.agent(), "one of the agents' names " + agents.keySet());
      return;
    }
    Set<String> messages = new TreeSet<>();
    agent.messages().forEach(m -> messages.add(m.name()));
    for (int i = 0; i < offload.messages().size(); i++) {
      if (!messages.contains(offload.messages().get(i))) {
        problems.add(
            path + ".messages[" + i + "]",
            offload.messages().get(i),
            "a message of agent " + agent.name() + ": " + messages);
      }
    }
  }

  private static void validateAction(String path, VariableAction action, Problems problems) {
    int set =
        (action.deny() != null ? 1 : 0)
            + (action.setRequestHeader() != null ? 1 : 0)
            + (action.setResponseHeader() != null ? 1 : 0);
    if (set != 1) {
      problems.addFinding(
          path, set + " of them set", "exactly one of deny, setRequestHeader, setResponseHeader");
      return;
    }
    if (action.deny() != null) {
      problems.range(path + ".deny.status", action.deny().status(), 400, 599);
      if (problems.required(path + ".deny.when", action.deny().when(), "a variable condition")) {
        validateTest(path + ".deny.when", action.deny().when(), problems);
      }
    }
    header(path + ".setRequestHeader", action.setRequestHeader(), problems);
    header(path + ".setResponseHeader", action.setResponseHeader(), problems);
  }

  private static void header(
      String path, VariableAction.@Nullable HeaderFromVariable h, Problems problems) {
    if (h != null) {
      headerName(path + ".name", h.name(), problems);
      variable(path + ".fromVariable", h.fromVariable(), problems);
    }
  }

  private static void validateTest(
      String path, VariableAction.VariableTest test, Problems problems) {
    variable(path + ".variable", test.variable(), problems);
    switch (test.operator()) {
      case Exists, NotExists -> {
        if (test.value() != null) {
          problems.add(path + ".value", test.value(), "no value for " + test.operator());
        }
      }
      case GreaterThan, LessThan -> {
        if (problems.required(path + ".value", test.value(), "an integer")
            && !INTEGER.matcher(test.value()).matches()) {
          problems.add(path + ".value", test.value(), "an integer for " + test.operator());
        }
      }
      default -> problems.required(path + ".value", test.value(), "a value to compare with");
    }
  }

  static void variable(String path, String value, Problems problems) {
    if (problems.required(path, value, "<scope>.<prefix>.<name>")
        && (value.length() > 63 || !VARIABLE.matcher(value).matches())) {
      problems.add(
          path, value, "<scope>.<prefix>.<name>, scope sess|txn|req|res, at most 63 characters");
    }
  }

  static void name(String path, String value, Problems problems) {
    if (problems.required(path, value, NAME_EXPECTED) && !NAME.matcher(value).matches()) {
      problems.add(path, value, NAME_EXPECTED);
    }
  }

  /** Reports a missing or malformed header name; true when it is a header name. */
  static boolean headerName(String path, String value, Problems problems) {
    if (!problems.required(path, value, "a header name")) {
      return false;
    }
    if (!HEADER_NAME.matcher(value).matches()) {
      problems.add(path, value, "a header name (RFC 9110 token)");
      return false;
    }
    return true;
  }

  private SidecarConfigValidator() {}
}
