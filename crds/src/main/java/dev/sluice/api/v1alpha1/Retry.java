package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * When a request is tried again on another endpoint. Failures before any byte reached the backend
 * (connection refused or timed out, a stream refused unprocessed) are tried again always; this
 * covers the rest.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.codes) || self.codes.all(c, c >= 500 && c <= 599)",
    message = "retry.codes must be statuses from 500 to 599")
@ValidationRule(
    value =
        "(!has(self.perTryTimeout) || duration(self.perTryTimeout) > duration('0s'))"
            + " && (!has(self.backoff) || duration(self.backoff) > duration('0s'))"
            + " && (!has(self.backoff) || !has(self.maxBackoff)"
            + " || duration(self.maxBackoff) >= duration(self.backoff))",
    message =
        "retry.perTryTimeout and retry.backoff must be greater than 0, and retry.maxBackoff at"
            + " least retry.backoff")
public record Retry(
    @JsonPropertyDescription("Tries after the first one, at most.") @Default("1") @Min(0) @Max(10)
        @Nullable Integer attempts,
    @JsonPropertyDescription(
            "Response statuses tried again (500-599); the last try's response goes to the client"
                + " whatever it is. Absent: [502, 503, 504].")
        @Size(max = 16)
        @Nullable List<Integer> codes,
    @JsonPropertyDescription(
            "Other outcomes tried again: Reset (the connection or stream ended before a response"
                + " head), PerTryTimeout (no response head within perTryTimeout). Absent: both.")
        @Size(max = 2)
        @Nullable List<Outcome> on,
    @JsonPropertyDescription(
            "Methods the policy applies to. Absent: the idempotent ones (GET, HEAD, OPTIONS,"
                + " TRACE, PUT, DELETE). A POST or PATCH listed here may be processed twice.")
        @Size(max = 9)
        @Nullable List<RouteMatch.HttpMethod> methods,
    @JsonPropertyDescription(
            "How long one try may wait for its response head once the request was sent; the"
                + " rule's request timeout still bounds all tries. Absent: no per-try limit.")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String perTryTimeout,
    @JsonPropertyDescription(
            "The first retry waits a random time up to this, each next one up to twice the"
                + " previous bound (full jitter).")
        @Default("25ms")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String backoff,
    @JsonPropertyDescription("The largest backoff bound.")
        @Default("250ms")
        @Size(max = 32)
        @Pattern(Patterns.DURATION)
        @Nullable String maxBackoff,
    @JsonPropertyDescription(
            "Retries in flight per backend, across the sidecar: at most a share of its requests in"
                + " flight, so a failing backend gets a bounded share of extra load.")
        @Nullable Budget budget,
    @JsonPropertyDescription(
            "Request bodies up to this many bytes are kept until the response head arrives, so"
                + " they can be sent again; a longer body is streamed without being kept and its"
                + " request is not tried again once any of it went to the backend. 0: only"
                + " requests without a body are tried again.")
        @Default("16384")
        @Min(0)
        @Max(1_048_576)
        @Nullable Long maxReplayBytes) {

  /** Outcomes other than a status that a policy may try again. */
  public enum Outcome {
    @JsonProperty("Reset")
    RESET,
    @JsonProperty("PerTryTimeout")
    PER_TRY_TIMEOUT
  }

  /** The share of a backend's requests in flight that may be retries. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Budget(
      @JsonPropertyDescription("Share of the requests in flight, in percent.")
          @Default("20")
          @Min(0)
          @Max(100)
          @Nullable Integer percent,
      @JsonPropertyDescription("Retries allowed at once whatever the share.")
          @Default("3")
          @Min(0)
          @Max(10_000)
          @Nullable Integer minConcurrent) {}
}
