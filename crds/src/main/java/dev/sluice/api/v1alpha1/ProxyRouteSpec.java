package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** What a ProxyRoute asks for. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "self.rules.all(r, !has(r.name) || self.rules.exists_one(s, has(s.name) && s.name == r.name))",
    message = "rules[].name must be unique within the ProxyRoute")
@ValidationRule(
    value =
        "!has(self.hostnames) || self.rules.all(r, !has(r.matches) || r.matches.all(m,"
            + " !has(m.host)))",
    message =
        "rules[].matches[].host is not allowed with spec.hostnames: name the hosts in one of the"
            + " two places")
public record ProxyRouteSpec(
    @JsonPropertyDescription(
            "Pods whose sidecars serve this route, by label. Only pods opted into injection"
                + " (namespace label sluice.dev/inject=enabled or pod label sluice.dev/inject=true)"
                + " get a sidecar.")
        @Required
        @SchemaFrom(type = SelectorSchema.class)
        LabelSelector selector,
    @JsonPropertyDescription("Where the sidecar accepts downstream (client) connections.") @Required
        Listener listener,
    @JsonPropertyDescription(
            "As Gateway API HTTPRoute's hostnames: the rules see only requests whose host (the"
                + " :authority or Host header, without port) is one of these, exact and"
                + " case-insensitive, or with a leading '*.' matching one or more labels. Absent:"
                + " any host (or the hosts the matches name).")
        @Size(max = 16)
        @Nullable List<@Size(max = 253) @Pattern(Patterns.HOST_MATCH) String> hostnames,
    @JsonPropertyDescription(
            "Rules, evaluated in order; the first rule whose matches accept the request handles"
                + " it, before the rules of HTTPRoutes attached to this ProxyRoute (those in"
                + " Gateway API's precedence). A request no rule matches gets 404. Empty: the"
                + " ProxyRoute is only a parent for HTTPRoutes.")
        @Required
        @Size(max = 64)
        List<Rule> rules,
    @JsonPropertyDescription(
            "How a change of this route reaches the selected pods. Defaults: one pod at a time,"
                + " halt on failure, 10m progress deadline.")
        @Nullable RolloutPolicy rollout,
    @JsonPropertyDescription(
            "Which exchanges the sidecar's access log writes for this route's rules, and what of"
                + " them. Absent: every exchange, without request headers or query.")
        @Nullable RouteAccessLog accessLog,
    @JsonPropertyDescription(
            "W3C trace context for this route's requests. Absent: a request without a valid"
                + " traceparent gets a new trace, 1% of them sampled.")
        @Nullable RouteTracing tracing) {}
