package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import org.jspecify.annotations.Nullable;

/**
 * W3C trace context for a route's requests. A request with a valid traceparent keeps its trace and
 * its sampled flag; this says what happens to one without.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteTracing(
    @JsonPropertyDescription(
            "Give a request without a valid traceparent a new trace, so its access-log line, its"
                + " offload agents and its backend share one trace id. Default true.")
        @Default("true")
        @Nullable Boolean createWhenAbsent,
    @JsonPropertyDescription(
            "Share of the traces the sidecar creates whose traceparent says sampled, a percentage"
                + " with up to four decimals (100%, 12.5%, 0.01%): what the backends' tracers"
                + " record. Default 1%.")
        @Default("1%")
        @Size(max = 9)
        @Pattern(Patterns.PERCENT)
        @Nullable String sampling) {}
