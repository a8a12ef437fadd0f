package dev.sluice.sidecar.filters;

import dev.sluice.sidecar.config.RouteRule;
import org.jspecify.annotations.Nullable;

/**
 * A rule's header modifiers, compiled with its generation.
 *
 * @param request its {@code requestHeaders}: applied to the head sent upstream
 * @param response its {@code responseHeaders}: applied to the upstream's response head sent
 *     downstream (never to the sidecar's own answers)
 * @param cors its CORS filter: preflights answered, fields per origin on responses; null when none
 */
public record RuleEdits(HeaderEdits request, HeaderEdits response, @Nullable CorsPolicy cors) {
  /** No changes. */
  public static final RuleEdits NONE = new RuleEdits(HeaderEdits.NONE, HeaderEdits.NONE, null);

  public static RuleEdits of(RouteRule rule) {
    if (rule.requestHeaders() == null && rule.responseHeaders() == null && rule.cors() == null) {
      return NONE;
    }
    return new RuleEdits(
        HeaderEdits.of(rule.requestHeaders()),
        HeaderEdits.of(rule.responseHeaders()),
        CorsPolicy.of(rule.cors()));
  }
}
