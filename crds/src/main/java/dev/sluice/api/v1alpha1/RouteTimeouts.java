package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/**
 * Timeouts of a rule, as durations like 500ms, 5s, 1m. {@code exchange} and {@code backendRequest}
 * are Gateway API's {@code request} and {@code backendRequest} (v1alpha2 names them so).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!(has(self.exchange) && has(self.backendRequest) && duration(self.exchange) !="
            + " duration('0s') && duration(self.backendRequest) > duration(self.exchange))",
    message = "backendRequest timeout cannot be longer than exchange timeout")
@ValidationRule(
    value =
        "duration(self.connect) > duration('0s') && duration(self.request) > duration('0s')"
            + " && duration(self.idle) > duration('0s')"
            + " && duration(self.tunnelIdle) > duration('0s')",
    message = "timeouts must be greater than 0")
public record RouteTimeouts(
    @JsonPropertyDescription(
            "Time to open a connection to the backend (TCP, and TLS for h2); exceeded: 503.")
        @Default("5s")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String connect,
    @JsonPropertyDescription(
            "Time from the end of the request until the response headers arrive; exceeded: 504."
                + " Offload processing is bounded by the agent's own processing timeout.")
        @Default("60s")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String request,
    @JsonPropertyDescription(
            "Longest pause in a body transfer, either direction, before the exchange is reset.")
        @Default("5m")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String idle,
    @JsonPropertyDescription(
            "Longest time a tunnel (a WebSocket or other upgrade, after 101 Switching Protocols)"
                + " may carry no byte either way before both connections are closed.")
        @Default("1h")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String tunnelIdle,
    @JsonPropertyDescription(
            "The whole exchange as the client sees it: from the request's arrival until the"
                + " response's last byte went out, retries and body streaming included (Gateway"
                + " API's timeouts.request). Exceeded before the response started: 504; after: the"
                + " exchange is cut (HTTP/1.1: connection closed; HTTP/2: stream reset). 0s or"
                + " absent: no bound. Tunnels after an upgrade are not bound by it.")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String exchange,
    @JsonPropertyDescription(
            "One try to the backend, from when its request starts going out until its response is"
                + " complete; each retry has its own (Gateway API's timeouts.backendRequest)."
                + " Exceeded before a response head: tried again as retry's PerTryTimeout, else"
                + " 504; after: the exchange is cut. At most exchange. 0s or absent: no bound.")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String backendRequest) {}
