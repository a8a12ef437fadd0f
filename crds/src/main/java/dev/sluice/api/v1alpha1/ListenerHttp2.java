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
 * What one HTTP/2 client connection may ask of the listener. A field left out takes the sidecar's
 * default; nothing is written into the object.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.resetWindow) || (duration(self.resetWindow) >= duration('1s')"
            + " && duration(self.resetWindow) <= duration('1h'))",
    message = "http2.resetWindow must be whole seconds from 1s to 1h")
public record ListenerHttp2(
    @JsonPropertyDescription(
            "Streams a client may have open at once, advertised as"
                + " SETTINGS_MAX_CONCURRENT_STREAMS (1-10000); one more is refused with"
                + " REFUSED_STREAM and the connection serves on. Default 100.")
        @Min(1)
        @Max(10_000)
        @Nullable Integer maxConcurrentStreams,
    @JsonPropertyDescription(
            "Streams a client may reset, and apart from those, streams the sidecar may reset for"
                + " the client's errors, within resetWindow (1-1000000); one more closes the"
                + " connection with GOAWAY ENHANCE_YOUR_CALM (rapid reset). Default 200.")
        @Min(1)
        @Max(1_000_000)
        @Nullable Integer maxResetStreams,
    @JsonPropertyDescription(
            "The window maxResetStreams is counted over, whole seconds from 1s to 1h."
                + " Default 30s.")
        @Size(max = 32)
        @Pattern(Patterns.WHOLE_SECONDS)
        @Nullable String resetWindow,
    @JsonPropertyDescription(
            "Response bytes one client connection may leave unread in the sidecar (1048576 to"
                + " 1073741824); over it, the streams holding the most are reset with"
                + " ENHANCE_YOUR_CALM. Default 4194304 (4 MiB).")
        @Min(1_048_576)
        @Max(1_073_741_824)
        @Nullable Long maxBufferedResponseBytes) {}
