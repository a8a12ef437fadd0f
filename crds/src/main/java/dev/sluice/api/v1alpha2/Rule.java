package dev.sluice.api.v1alpha2;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.sluice.api.v1alpha1.OutlierDetection;
import dev.sluice.api.v1alpha1.Patterns;
import dev.sluice.api.v1alpha1.Retry;
import dev.sluice.api.v1alpha1.Rule.LoadBalancing;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One rule, as an HTTPRoute rule (matches, filters, backendRefs, timeouts) with Sluice's extensions
 * (retry, limits, balancing, outlier detection, upgrades).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(has(self.filters) && self.filters.exists(f, f.type == 'RequestRedirect'))"
            + " || (has(self.backendRefs) && size(self.backendRefs) > 0)",
    message = "rules[].backendRefs needs an entry unless the rule redirects")
@ValidationRule(
    value =
        "(has(self.backendRefs) && size(self.backendRefs) > 0) ? (!has(self.filters) ||"
            + " self.filters.all(f, !has(f.requestRedirect))) : true",
    message = "RequestRedirect filter must not be used together with backendRefs")
@ValidationRule(
    value =
        "!has(self.filters) || ['RequestHeaderModifier', 'ResponseHeaderModifier',"
            + " 'RequestRedirect', 'URLRewrite', 'CORS', 'LocalRateLimit'].all(t,"
            + " self.filters.filter(f, f.type == t).size() <= 1)",
    message =
        "rules[].filters: RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect,"
            + " URLRewrite, CORS and LocalRateLimit may each appear once")
@ValidationRule(
    value =
        "!has(self.filters) || !self.filters.exists(f, f.type == 'RequestRedirect') ||"
            + " self.filters.all(f, f.type != 'URLRewrite' && f.type != 'RequestHeaderModifier'"
            + " && f.type != 'ResponseHeaderModifier' && f.type != 'RequestMirror')",
    message =
        "a RequestRedirect is answered by the sidecar: no URLRewrite, RequestHeaderModifier,"
            + " ResponseHeaderModifier or RequestMirror with it")
@ValidationRule(
    value =
        "!has(self.filters) || self.filters.all(f, !(has(f.urlRewrite) && has(f.urlRewrite.path)"
            + " && f.urlRewrite.path.type == 'ReplacePrefixMatch') && !(has(f.requestRedirect) &&"
            + " has(f.requestRedirect.path) && f.requestRedirect.path.type =="
            + " 'ReplacePrefixMatch')) || (has(self.matches) && size(self.matches) > 0 &&"
            + " self.matches.all(m, has(m.path) && m.path.type == 'PathPrefix'))",
    message =
        "ReplacePrefixMatch needs every match of the rule to have a PathPrefix path (the prefix"
            + " it replaces)")
@ValidationRule(
    value = "!has(self.filters) || self.filters.filter(f, f.type == 'RequestMirror').size() <= 8",
    message = "rules[].filters: at most 8 RequestMirror filters")
public record Rule(
    @JsonPropertyDescription(
            "Name of the rule, unique in the route; used in metrics and status messages. Defaults"
                + " to rules[<index>].")
        @Size(max = 63)
        @Pattern(Patterns.DNS_LABEL)
        @Nullable String name,
    @JsonPropertyDescription(
            "As HTTPRoute's: the rule applies when any of these matches accepts the request (OR);"
                + " within one match every field must hold (AND). Empty or absent: every"
                + " request.")
        @Size(max = 64)
        @Nullable List<RouteMatch> matches,
    @JsonPropertyDescription(
            "What happens to a matching request on the way, as HTTPRoute's filters, plus Sluice's:"
                + " Offload (call an offload agent) and VariableAction (deny, or set a header from"
                + " an agent's variable). Offload filters run in their order before the request"
                + " is forwarded, then VariableAction filters in theirs.")
        @Size(max = 40)
        @Nullable List<Filter> filters,
    @JsonPropertyDescription(
            "Where matching requests are forwarded, as HTTPRoute's backendRefs (a Service and"
                + " port), or static endpoints (a Sluice extension).")
        @Size(max = 16)
        @Nullable List<BackendRef> backendRefs,
    @JsonPropertyDescription("Timeouts for requests of this rule.") @Nullable Timeouts timeouts,
    @JsonPropertyDescription(
            "When a request is tried again on another endpoint after the backend answered badly or"
                + " not at all. Failures before any byte reached the backend are tried again"
                + " always. Absent: an idempotent request without a body whose connection or"
                + " stream ended before a response head is tried once more.")
        @Nullable Retry retry,
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
            "HTTP/1.1 Upgrade tokens (RFC 9110 7.8) whose requests become a tunnel once the"
                + " backend answers 101 Switching Protocols, compared case-insensitively; the"
                + " backend must be http1. Absent: [websocket]. Empty: upgrade requests are served"
                + " as plain requests without their Upgrade field.")
        @Size(max = 8)
        @Nullable List<String> upgrades,
    @JsonPropertyDescription(
            "How requests are spread over the backend's endpoints, across the whole sidecar:"
                + " LeastRequest (power of two choices) or RoundRobin. Absent: LeastRequest.")
        @Nullable LoadBalancing loadBalancer,
    @JsonPropertyDescription(
            "When the sidecar stops sending requests to a backend endpoint that keeps failing,"
                + " and for how long. Absent: on, with every default.")
        @Nullable OutlierDetection outlierDetection) {}
