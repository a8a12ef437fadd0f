package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** One routing rule: which requests, where they go, what happens on the way. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "[has(self.backend), has(self.backends), has(self.redirect)].filter(x, x).size() == 1",
    message = "a rule needs exactly one of backend, backends and redirect")
@ValidationRule(
    value =
        "!has(self.redirect) || (!has(self.rewrite) && !has(self.requestHeaders)"
            + " && !has(self.responseHeaders) && !has(self.mirrors))",
    message =
        "rules[].redirect is answered by the sidecar: no rewrite, requestHeaders,"
            + " responseHeaders or mirrors with it")
@ValidationRule(
    value =
        "[has(self.rewrite) && has(self.rewrite.path) ? self.rewrite.path.type : '',"
            + " has(self.redirect) && has(self.redirect.path) ? self.redirect.path.type : '']"
            + ".all(t, t != 'ReplacePrefixMatch') || (has(self.matches) && size(self.matches) > 0"
            + " && self.matches.all(m, has(m.path) && m.path.type == 'Prefix'))",
    message =
        "ReplacePrefixMatch needs every match of the rule to have a Prefix path (the prefix it"
            + " replaces)")
public record Rule(
    @JsonPropertyDescription(
            "Name of the rule, unique in the route; used in metrics and status messages. Defaults"
                + " to rules[<index>].")
        @Size(max = 63)
        @Pattern(Patterns.DNS_LABEL)
        @Nullable String name,
    @JsonPropertyDescription(
            "The rule applies when any of these matches accepts the request (OR); within one"
                + " match every field must hold (AND). Empty or absent: every request.")
        @Size(max = 16)
        @Nullable List<RouteMatch> matches,
    @JsonPropertyDescription(
            "Where matching requests are forwarded; not with redirect, which the sidecar answers"
                + " itself.")
        @Nullable Backend backend,
    @JsonPropertyDescription("Timeouts for requests of this rule.")
        @Nullable RouteTimeouts timeouts,
    @JsonPropertyDescription(
            "Largest request body accepted, in bytes; a larger one gets 413 (as soon as the"
                + " Content-Length or the streamed body says so). Absent: no limit.")
        @Min(0)
        @Nullable Long maxRequestBodyBytes,
    @JsonPropertyDescription(
            "Forward bodies without copying them: the buffer read from one side is the one"
                + " written to the other. Turn off only to compare or debug.")
        @Default("true")
        @Nullable Boolean zeroCopy,
    @JsonPropertyDescription(
            "Offload steps, run in order before the request is forwarded (request-event messages)"
                + " and before the response is sent back (response-event messages).")
        @Size(max = 8)
        @Nullable List<OffloadStep> offload,
    @JsonPropertyDescription(
            "Actions on the variables the offload agents set, in order: deny the request, or set"
                + " a request or response header from a variable.")
        @Size(max = 32)
        @Nullable List<Action> actions,
    @JsonPropertyDescription(
            "HTTP/1.1 Upgrade tokens (RFC 9110 7.8) whose requests become a tunnel once the"
                + " backend answers 101 Switching Protocols, compared case-insensitively; the"
                + " backend must be http1. Absent: [websocket]. Empty: upgrade requests are served"
                + " as plain requests without their Upgrade field.")
        @Size(max = 8)
        @Nullable List<String> upgrades,
    @JsonPropertyDescription(
            "How requests are spread over the backend's endpoints, across the whole sidecar:"
                + " LeastRequest (power of two choices: of two endpoints picked at random, the one"
                + " with fewer requests in flight) or RoundRobin (each endpoint in turn). Absent:"
                + " LeastRequest.")
        @Nullable LoadBalancing loadBalancer,
    @JsonPropertyDescription(
            "When a request is tried again on another endpoint after the backend answered badly or"
                + " not at all. Failures before any byte reached the backend are tried again"
                + " always. Absent: an idempotent request without a body whose connection or"
                + " stream ended before a response head is tried once more.")
        @Nullable Retry retry,
    @JsonPropertyDescription(
            "When the sidecar stops sending requests to a backend endpoint that keeps failing,"
                + " and for how long. Absent: on, with every default (5 failures in a row eject"
                + " for 30s, growing to 5m; at most 10% of the endpoints at once).")
        @Nullable OutlierDetection outlierDetection,
    @JsonPropertyDescription(
            "Gateway API's RequestHeaderModifier: headers set, added or removed on the request sent"
                + " to the backend, before the actions from agent variables.")
        @Nullable HeaderModifier requestHeaders,
    @JsonPropertyDescription(
            "Gateway API's ResponseHeaderModifier: headers set, added or removed on the backend's"
                + " response, before the actions from agent variables; the sidecar's own answers"
                + " are left as they are.")
        @Nullable HeaderModifier responseHeaders,
    @JsonPropertyDescription(
            "Gateway API's URLRewrite: the host and path sent to the backend instead of the"
                + " client's.")
        @Nullable UrlRewrite rewrite,
    @JsonPropertyDescription(
            "Gateway API's RequestRedirect: the sidecar answers with a redirect; the rule has no"
                + " backend.")
        @Nullable RequestRedirect redirect,
    @JsonPropertyDescription(
            "A local rate limit in each sidecar: a request over it gets 429 with Retry-After"
                + " before any other work.")
        @Nullable LocalRateLimit rateLimit,
    @JsonPropertyDescription(
            "Gateway API's weighted backendRefs: each request goes to one of these, chosen by"
                + " weight (canary, blue/green); retries stay with the one chosen. Instead of"
                + " backend.")
        @Size(min = 1, max = 16)
        @Nullable List<WeightedBackend> backends,
    @JsonPropertyDescription(
            "Gateway API's RequestMirror: copies of the rule's requests (after its header"
                + " modifiers and rewrite) to other backends, answers discarded; a mirror that is"
                + " slow or fails never affects the request. At most 8.")
        @Size(max = 8)
        @Nullable List<Mirror> mirrors,
    @JsonPropertyDescription(
            "Gateway API's CORS filter: preflights answered by the sidecar, never forwarded; the"
                + " allowed origin's Access-Control-* fields and Vary: Origin on responses.")
        @Nullable Cors cors) {

  /** Load-balancing policies; the sidecar's default, when absent, is LeastRequest. */
  public enum LoadBalancing {
    @JsonProperty("LeastRequest")
    LEAST_REQUEST,
    @JsonProperty("RoundRobin")
    ROUND_ROBIN
  }
}
