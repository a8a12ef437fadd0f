package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import org.jspecify.annotations.Nullable;

/** SPOP connection settings of one sidecar towards the agent. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SpopSettings(
    @JsonPropertyDescription("Connections one sidecar keeps open to the agent at most (1-1024).")
        @Default("8")
        @Min(1)
        @Max(1024)
        @Nullable Integer maxConnections,
    @JsonPropertyDescription(
            "Offer pipelining (several NOTIFY frames in flight on one connection); used only when"
                + " the agent accepts it.")
        @Default("true")
        @Nullable Boolean pipelining,
    @JsonPropertyDescription(
            "NOTIFY frames in flight per connection when pipelining (1-1000; HAProxy uses 20).")
        @Default("20")
        @Min(1)
        @Max(1000)
        @Nullable Integer maxInFlightPerConnection,
    @JsonPropertyDescription(
            "Largest frame offered in HELLO (256-1048576; HAProxy's default is 16380). A NOTIFY"
                + " that does not fit the negotiated size fails locally (error 259), it is never"
                + " fragmented.")
        @Default("16380")
        @Min(256)
        @Max(1048576)
        @Nullable Integer maxFrameSize) {}
