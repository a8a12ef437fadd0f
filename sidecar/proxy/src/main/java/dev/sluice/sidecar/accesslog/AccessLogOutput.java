package dev.sluice.sidecar.accesslog;

import dev.sluice.sidecar.config.RuleAccessLog;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The process's part of the access log: where lines go and how they look ({@code --access-log}).
 * Which exchanges are logged and what of them is each rule's ({@link RuleAccessLog}), applied per
 * generation, so a reload changes it without touching the writer.
 *
 * @param writer where lines go; null: no access log at all
 * @param format the line format
 */
public record AccessLogOutput(@Nullable AccessLogWriter writer, AccessLogFormat format) {
  /** No access log (an embedded sidecar, the tests, unless they ask for one). */
  public static final AccessLogOutput OFF = new AccessLogOutput(null, AccessLogFormat.JSON);

  /** The access log of exchanges whose rule logs as {@code settings} say. */
  public AccessLog forRule(RuleAccessLog settings) {
    return new AccessLog(
        settings.enabled() ? writer : null,
        format,
        new AccessLogSampler(settings.successSampleRate()),
        settings.headers(),
        Set.copyOf(settings.redactHeaders()),
        settings.includeQuery());
  }
}
