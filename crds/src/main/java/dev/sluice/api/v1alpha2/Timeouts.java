package dev.sluice.api.v1alpha2;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.sluice.api.v1alpha1.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/**
 * As HTTPRoute's HTTPRouteTimeouts, with Sluice's finer timeouts as extensions. Durations like
 * 500ms, 5s, 1m.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!(has(self.request) && has(self.backendRequest) && duration(self.request) !="
            + " duration('0s') && duration(self.backendRequest) > duration(self.request))",
    message = "backendRequest timeout cannot be longer than request timeout")
@ValidationRule(
    value =
        "duration(self.connect) > duration('0s') && duration(self.responseHeader) >"
            + " duration('0s') && duration(self.idle) > duration('0s') &&"
            + " duration(self.tunnelIdle) > duration('0s')",
    message = "timeouts must be greater than 0")
public record Timeouts(
    @JsonPropertyDescription(
            "Gateway API's: the whole exchange as the client sees it, from the request's arrival"
                + " until the response's last byte went out, retries and body streaming included."
                + " Exceeded before the response started: 504; after: the exchange is cut"
                + " (HTTP/1.1: connection closed; HTTP/2: stream reset). 0s or absent: no bound."
                + " Tunnels after an upgrade are not bound by it.")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String request,
    @JsonPropertyDescription(
            "Gateway API's: one try to the backend, from when its request starts going out until"
                + " its response is complete; each retry has its own. Exceeded before a response"
                + " head: tried again as retry's PerTryTimeout, else 504; after: the exchange is"
                + " cut. At most request. 0s or absent: no bound.")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String backendRequest,
    @JsonPropertyDescription(
            "Sluice extension: time to open a connection to the backend (TCP, and TLS for h2);"
                + " exceeded: 503.")
        @Default("5s")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String connect,
    @JsonPropertyDescription(
            "Sluice extension: time from the end of the request until the response headers"
                + " arrive; exceeded: 504. Applies beside request. (v1alpha1's timeouts.request.)")
        @Default("60s")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String responseHeader,
    @JsonPropertyDescription(
            "Sluice extension: longest pause in a body transfer, either direction, before the"
                + " exchange is reset.")
        @Default("5m")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String idle,
    @JsonPropertyDescription(
            "Sluice extension: longest time a tunnel (a WebSocket or other upgrade) may carry no"
                + " byte either way before both connections are closed.")
        @Default("1h")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String tunnelIdle) {}
