package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/**
 * A token bucket in each sidecar: {@code requests} per {@code unit}, up to {@code burst} at once; a
 * request over it gets 429 with Retry-After before any other work.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.burst) || self.burst >= self.requests",
    message = "rateLimit.burst must be at least rateLimit.requests")
public record LocalRateLimit(
    @JsonPropertyDescription("Requests allowed per unit, in each sidecar.")
        @Required
        @Min(1)
        @Max(1000000000)
        Long requests,
    @JsonPropertyDescription("Second, Minute or Hour.") @Default("Second") @Nullable Unit unit,
    @JsonPropertyDescription("Requests allowed at once after a quiet period; absent: requests.")
        @Min(1)
        @Max(1000000000)
        @Nullable Long burst,
    @JsonPropertyDescription(
            "Rule: one bucket for all the rule's requests. ClientAddress: one per client IP"
                + " address (at most 65,536 tracked, the least recently seen forgotten).")
        @Default("Rule")
        @Nullable Key key) {

  /** The period tokens refill over. */
  public enum Unit {
    Second,
    Minute,
    Hour
  }

  /** Who shares a bucket. */
  public enum Key {
    Rule,
    ClientAddress
  }
}
