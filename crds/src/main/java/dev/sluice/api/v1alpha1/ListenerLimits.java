package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/**
 * How long a client connection may stay silent, and how many may be open at once. A field left out
 * takes the sidecar's default; nothing is written into the object.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(!has(self.headerReadTimeout) || duration(self.headerReadTimeout) > duration('0s'))"
            + " && (!has(self.idleTimeout) || duration(self.idleTimeout) > duration('0s'))"
            + " && (!has(self.stalledWriteTimeout)"
            + " || duration(self.stalledWriteTimeout) > duration('0s'))",
    message = "listener limits must be greater than 0")
public record ListenerLimits(
    @JsonPropertyDescription(
            "Longest time from the first byte of a request (the accept, for a connection's first)"
                + " until its head is complete; exceeded: 408 and the close (HTTP/1.1), GOAWAY"
                + " (HTTP/2 without its preface). Default 10s.")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String headerReadTimeout,
    @JsonPropertyDescription(
            "Longest time a connection stays open with no request in flight; exceeded: closed"
                + " (HTTP/2 after GOAWAY NO_ERROR). Default 60s.")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String idleTimeout,
    @JsonPropertyDescription(
            "Longest time response bytes may wait for a client that takes none of them;"
                + " exceeded: the connection closes, or one HTTP/2 stream is reset with CANCEL."
                + " Default 30s.")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String stalledWriteTimeout,
    @JsonPropertyDescription(
            "Most client connections open at once on this listener (1-1000000); past it a new"
                + " connection is closed at accept. Default 10000.")
        @Min(1)
        @Max(1_000_000)
        @Nullable Integer maxConnections) {}
