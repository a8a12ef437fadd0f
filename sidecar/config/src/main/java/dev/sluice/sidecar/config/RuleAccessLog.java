package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How a rule's exchanges are written to the access log (contract 3). Where lines go and their
 * format are the process's ({@code --access-log}); this says which exchanges and what of them. A
 * field left out takes its default; a rule without {@code accessLog} runs {@link #DEFAULT}.
 *
 * @param enabled whether the rule's exchanges are logged at all (default true)
 * @param successSampleRate the share of successful exchanges logged, 0 to 1 (default 1); a failed
 *     one (a termination other than {@code --}, or a 5xx) is always logged
 * @param headers request headers whose values each line carries, at most {@value #MAX_HEADERS},
 *     names compared case-insensitively (default none)
 * @param redactHeaders headers among {@code headers} written as {@code [redacted]}; default: those
 *     of {@code headers} that carry credentials ({@link #CREDENTIAL_HEADERS})
 * @param includeQuery keep the query in the logged path (default false: it often carries tokens)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RuleAccessLog(
    Boolean enabled,
    Double successSampleRate,
    List<String> headers,
    List<String> redactHeaders,
    Boolean includeQuery) {
  /** The most headers one rule may log: each is looked up per logged exchange. */
  public static final int MAX_HEADERS = 16;

  /** Headers redacted unless {@code redactHeaders} says otherwise, when they are logged. */
  public static final List<String> CREDENTIAL_HEADERS =
      List.of("authorization", "cookie", "proxy-authorization");

  /** What a rule without {@code accessLog} runs: every exchange, no headers, no query. */
  public static final RuleAccessLog DEFAULT =
      new RuleAccessLog(true, 1.0, List.of(), List.of(), false);

  public RuleAccessLog {
    enabled = enabled == null ? Boolean.TRUE : enabled;
    successSampleRate = successSampleRate == null ? 1.0 : successSampleRate;
    headers = headers == null ? List.of() : List.copyOf(headers);
    redactHeaders = redactHeaders == null ? credentialsAmong(headers) : List.copyOf(redactHeaders);
    includeQuery = includeQuery == null ? Boolean.FALSE : includeQuery;
  }

  /**
   * The settings of exchanges answered before a rule was chosen (a head that cannot be read, a
   * request no rule takes) on a listener whose rules log as {@code rules} say: logged unless every
   * rule is off; the headers of all of them, each redacted if any rule redacts it; the query only
   * if every rule keeps it. A listener without rules logs as {@link #DEFAULT} does. Such exchanges
   * are failures, always logged, so the sample rate does not matter.
   */
  public static RuleAccessLog strictestOf(List<RuleAccessLog> rules) {
    if (rules.isEmpty()) {
      return DEFAULT;
    }
    Set<String> headers = new LinkedHashSet<>();
    Set<String> redacted = new LinkedHashSet<>();
    boolean enabled = false;
    boolean includeQuery = true;
    for (RuleAccessLog rule : rules) {
      enabled |= rule.enabled();
      includeQuery &= rule.includeQuery();
      rule.headers().forEach(h -> headers.add(h.toLowerCase(Locale.ROOT)));
      rule.redactHeaders().forEach(h -> redacted.add(h.toLowerCase(Locale.ROOT)));
    }
    redacted.retainAll(headers);
    return new RuleAccessLog(
        enabled, 1.0, List.copyOf(headers), List.copyOf(redacted), includeQuery);
  }

  private static List<String> credentialsAmong(List<String> headers) {
    List<String> credentials = new ArrayList<>();
    for (String header : headers) {
      if (header != null && CREDENTIAL_HEADERS.contains(header.toLowerCase(Locale.ROOT))) {
        credentials.add(header);
      }
    }
    return List.copyOf(credentials);
  }
}
