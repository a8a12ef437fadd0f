package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/** Timeouts of a rule, as durations like 500ms, 5s, 1m. */
@JsonInclude(JsonInclude.Include.NON_NULL)
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
        @Nullable String tunnelIdle) {}
