package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * When a rule's request is tried again on another endpoint after its upstream answered badly or not
 * at all. Failures before any byte of a request reached the upstream (connection refused or timed
 * out, a stream refused unprocessed) are tried again always, whatever this says; this policy covers
 * the rest, where the upstream may have seen the request: it applies only to {@code methods}
 * (idempotent ones by default, RFC 9110 9.2.2) and to requests whose body is still held whole
 * ({@code maxReplayBytes}: a body streamed upstream with zero copies cannot be sent twice).
 *
 * <p>A rule without a policy runs {@link #DEFAULT}: an idempotent request without a body whose
 * connection or stream ended before a response head is tried once more elsewhere; statuses are
 * passed on as they are.
 *
 * @param attempts tries after the first one, at most (0 to 10; default 1)
 * @param codes response statuses tried again, 500 to 599 (default 502, 503, 504: the gateway
 *     errors); the response of the last try goes to the client whatever it is
 * @param on other outcomes tried again: {@link On#RESET} (the connection or stream ended before a
 *     response head), {@link On#PER_TRY_TIMEOUT} (no response head within {@code perTryTimeout}, or
 *     within the rule's {@code timeouts.backendRequest}); default both
 * @param methods request methods the policy applies to (default GET, HEAD, OPTIONS, TRACE, PUT,
 *     DELETE)
 * @param perTryTimeout how long one try may wait for its response head, from when its request was
 *     sent whole (absent: only the rule's request timeout, which bounds all tries)
 * @param backoff the first retry waits a random time up to this, each next one up to twice the
 *     previous bound (full jitter; default 25ms)
 * @param maxBackoff the largest bound (default 250ms, at least {@code backoff})
 * @param budget retries in flight per upstream, at most a share of its requests in flight
 * @param maxReplayBytes request bodies up to this size are kept until a response head arrives, so
 *     they can be sent again (default 16384, at most 1 MiB; 0: only requests without a body are
 *     tried again). A longer body is not kept and its request is never tried again.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RetryPolicy(
    Integer attempts,
    List<Integer> codes,
    List<On> on,
    List<String> methods,
    @Nullable Duration perTryTimeout,
    Duration backoff,
    Duration maxBackoff,
    Budget budget,
    Long maxReplayBytes) {
  /** The idempotent methods of RFC 9110 9.2.2: what a policy applies to by default. */
  public static final List<String> IDEMPOTENT_METHODS =
      List.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

  /** The gateway errors: the statuses a policy tries again by default. */
  public static final List<Integer> GATEWAY_ERRORS = List.of(502, 503, 504);

  /** The most {@code maxReplayBytes} may be: what one request may hold for a retry. */
  public static final long MAX_REPLAY_BYTES = 1 << 20;

  /**
   * What a rule without a policy runs: one more try, elsewhere, of an idempotent request without a
   * body whose connection or stream ended before a response head (what HTTP clients do on their
   * own); no status is tried again. Its budget lets every request in flight take its one retry:
   * when an endpoint dies, every request that was in flight on it is tried again at once.
   */
  @SuppressWarnings("NullAway") // an absent field (null) reads as its default
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(
          1, List.of(), List.of(On.RESET), null, null, null, null, new Budget(100, 3), 0L);

  public RetryPolicy {
    attempts = attempts == null ? 1 : attempts;
    codes = codes == null ? GATEWAY_ERRORS : List.copyOf(codes);
    on = on == null ? List.of(On.RESET, On.PER_TRY_TIMEOUT) : List.copyOf(on);
    methods = methods == null ? IDEMPOTENT_METHODS : List.copyOf(methods);
    backoff = backoff == null ? Duration.ofMillis(25) : backoff;
    maxBackoff = maxBackoff == null ? Duration.ofMillis(250) : maxBackoff;
    budget = budget == null ? Budget.DEFAULT : budget;
    maxReplayBytes = maxReplayBytes == null ? 16_384L : maxReplayBytes;
  }

  /** True when {@code method} (upper case, as requests carry it) is one the policy applies to. */
  public boolean appliesTo(String method) {
    return methods.contains(method);
  }

  /** True when a response of {@code status} is tried again. */
  public boolean retries(int status) {
    return codes.contains(status);
  }

  /** True when {@code outcome} is tried again. */
  public boolean retries(On outcome) {
    return on.contains(outcome);
  }

  /** Outcomes other than a status that a policy may try again. */
  public enum On {
    /** The connection or stream ended (closed, reset, a write failed) before a response head. */
    @JsonProperty("Reset")
    RESET,
    /**
     * No response head within {@code perTryTimeout}, or the rule's {@code timeouts.backendRequest}
     * ran out before one.
     */
    @JsonProperty("PerTryTimeout")
    PER_TRY_TIMEOUT
  }

  /**
   * How many retries an upstream runs at once, across the sidecar: at most {@code percent} of its
   * requests in flight, and never fewer than {@code minConcurrent}. A failing upstream so gets a
   * bounded share of extra load, not a multiple of it.
   *
   * @param percent share of the requests in flight (0 to 100; default 20)
   * @param minConcurrent retries allowed at once whatever the share (default 3)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Budget(Integer percent, Integer minConcurrent) {
    public static final Budget DEFAULT = new Budget(20, 3);

    public Budget {
      percent = percent == null ? 20 : percent;
      minConcurrent = minConcurrent == null ? 3 : minConcurrent;
    }

    /** Retries that may run at once while {@code inFlight} requests are. */
    public int allowed(int inFlight) {
      return Math.max(minConcurrent, (int) ((long) inFlight * percent / 100));
    }
  }
}
