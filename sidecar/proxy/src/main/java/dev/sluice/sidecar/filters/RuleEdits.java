package dev.sluice.sidecar.filters;

import dev.sluice.sidecar.config.RouteRule;

/**
 * A rule's header modifiers, compiled with its generation.
 *
 * @param request its {@code requestHeaders}: applied to the head sent upstream
 * @param response its {@code responseHeaders}: applied to the upstream's response head sent
 *     downstream (never to the sidecar's own answers)
 */
public record RuleEdits(HeaderEdits request, HeaderEdits response) {
  /** No changes. */
  public static final RuleEdits NONE = new RuleEdits(HeaderEdits.NONE, HeaderEdits.NONE);

  public static RuleEdits of(RouteRule rule) {
    if (rule.requestHeaders() == null && rule.responseHeaders() == null) {
      return NONE;
    }
    return new RuleEdits(
        HeaderEdits.of(rule.requestHeaders()), HeaderEdits.of(rule.responseHeaders()));
  }
}
