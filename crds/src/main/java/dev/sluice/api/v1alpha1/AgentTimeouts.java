package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/** Agent timeouts, as durations like 500ms, 2s, 1m. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "duration(self.processing) > duration('0s')",
    message = "timeouts.processing must be greater than 0")
@ValidationRule(
    value = "!has(self.idle) || duration(self.processing) <= duration(self.idle)",
    message = "timeouts.processing must not be above timeouts.idle")
@ValidationRule(
    value = "!has(self.hello) || duration(self.hello) > duration('0s')",
    message = "timeouts.hello must be greater than 0")
public record AgentTimeouts(
    @JsonPropertyDescription(
            "Longest wait for the agent's HELLO after connecting; the connection is then"
                + " abandoned and retried with backoff.")
        @Default("2s")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String hello,
    @JsonPropertyDescription("How long an unused agent connection stays open.")
        @Default("30s")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String idle,
    @JsonPropertyDescription(
            "Budget for one event of one request: getting a connection, sending the NOTIFY and"
                + " receiving the ACK. A timer enforces it whatever else happens (agent stall,"
                + " disconnect, sidecar reload); at expiry failurePolicy applies and the error"
                + " variable is 1.")
        @Required
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        String processing) {}
