package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * One mirror of a rule (Gateway API's {@code RequestMirror} filter, contract 4): a fire-and-forget
 * copy of a share of the rule's requests, as they are sent upstream, to another upstream whose
 * response is read and discarded.
 *
 * @param upstream where the copies go (as a rule's {@code upstream}; equal upstreams share a pool)
 * @param percent the share of requests copied, 0..100; either this or {@code fraction}; every
 *     request when neither is set
 * @param fraction the share of requests copied as numerator / denominator; either this or {@code
 *     percent}
 * @param maxBodyBytes the largest request body copied (default 65,536; 0..16 MiB): a request whose
 *     body grows past it is not mirrored at all (never a truncated body)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RequestMirror(
    Upstream upstream, @Nullable Integer percent, @Nullable Fraction fraction, Long maxBodyBytes) {
  /** What {@code maxBodyBytes} is when absent. */
  public static final long DEFAULT_MAX_BODY_BYTES = 65_536;

  /** The largest {@code maxBodyBytes}: copies are held in memory until the request is whole. */
  public static final long MAX_BODY_BYTES = 16L * 1024 * 1024;

  /** The most mirrors a rule may have. */
  public static final int MAX_MIRRORS = 8;

  public RequestMirror {
    maxBodyBytes = maxBodyBytes == null ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes;
  }

  /**
   * Gateway API's fraction: {@code numerator} of every {@code denominator} requests.
   *
   * @param numerator 0..denominator
   * @param denominator at least 1 (default 100)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Fraction(@Nullable Integer numerator, Integer denominator) {
    public Fraction {
      denominator = denominator == null ? 100 : denominator;
    }
  }

  /** The share copied as {numerator, denominator}: 100/100 when neither field is set. */
  public long[] share() {
    if (fraction != null) {
      Integer numerator = fraction.numerator();
      return new long[] {numerator == null ? 0 : numerator, fraction.denominator()};
    }
    return new long[] {percent == null ? 100 : percent, 100};
  }
}
