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
 * Passive outlier detection for a rule's backend endpoints. A field left out takes the sidecar's
 * default; nothing is written into the object.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.baseEjectionTime) || (duration(self.baseEjectionTime) >= duration('1ms')"
            + " && duration(self.baseEjectionTime) <= duration('1h'))",
    message = "outlierDetection.baseEjectionTime must be from 1ms to 1h")
@ValidationRule(
    value =
        "!has(self.maxEjectionTime) || (duration(self.maxEjectionTime) <= duration('24h')"
            + " && duration(self.maxEjectionTime)"
            + " >= duration(has(self.baseEjectionTime) ? self.baseEjectionTime : '30s'))",
    message = "outlierDetection.maxEjectionTime must be from baseEjectionTime (default 30s) to 24h")
public record OutlierDetection(
    @JsonPropertyDescription(
            "Failures in a row that eject an endpoint (0-1000; 0 turns detection off): failed"
                + " connection attempts, 502, 503 and 504 responses, and exchanges the endpoint"
                + " closed or reset before responding. Any other response starts the count over."
                + " Default 5.")
        @Min(0)
        @Max(1000)
        @Nullable Integer consecutiveFailures,
    @JsonPropertyDescription(
            "How long the first ejection lasts (1ms to 1h); the n-th lasts n times as long, up to"
                + " maxEjectionTime. Each baseEjectionTime back in service forgives one earlier"
                + " ejection. Default 30s.")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String baseEjectionTime,
    @JsonPropertyDescription(
            "The longest an ejection lasts, from baseEjectionTime to 24h. Default 5m.")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String maxEjectionTime,
    @JsonPropertyDescription(
            "Share of the backend's serving endpoints that may be ejected at once (1-100),"
                + " rounded down but at least one while two or more serve, and never the last one"
                + " serving. Default 10.")
        @Min(1)
        @Max(100)
        @Nullable Integer maxEjectionPercent) {}
