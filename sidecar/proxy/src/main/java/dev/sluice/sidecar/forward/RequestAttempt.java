package dev.sluice.sidecar.forward;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.config.Durations;
import dev.sluice.sidecar.config.RetryPolicy;
import dev.sluice.sidecar.timer.Timeout;
import dev.sluice.sidecar.upstream.EndpointTries;
import dev.sluice.sidecar.upstream.RetryBudget;
import dev.sluice.sidecar.upstream.StreamRefusedException;
import dev.sluice.sidecar.upstream.UpstreamLease;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A request's tries upstream: the lease it asks for and holds, and which failures send it again.
 *
 * <p>Failures before any byte reached the upstream are tried again always, as {@link EndpointTries}
 * bounds them: a failed connection attempt (inside the pool, on another endpoint), and a stream the
 * upstream refused before processing it (REFUSED_STREAM, or past a GOAWAY's last stream id; here,
 * at once: on another endpoint when there is one, else another connection).
 *
 * <p>The rule's {@link RetryPolicy} covers what the upstream may have seen: a connection or stream
 * that ended before a response head, a response status it names, a try without a response head
 * within its per-try timeout. Such a try is tried again on an endpoint not tried yet while there is
 * one, after a backoff with full jitter, when all of these hold: the policy applies to the method
 * (and the request is no tunnel), attempts are left, the whole body is still at hand ({@link
 * RequestRelay#replayable}), and the upstream's {@link RetryBudget} allows another retry in flight.
 * A forgone retry is counted by why. Event-loop confined (the exchange's loop).
 */
final class RequestAttempt {
  /** What a try that went wrong turns into. */
  enum Next {
    /** Sent again at once (a refused stream: the upstream never processed it). */
    AGAIN_NOW,
    /** Sent again after the policy's backoff. */
    AGAIN_LATER,
    /** Not sent again: the failure is the exchange's answer. */
    ANSWER
  }

  /** The kind of a try without a response head within the policy's per-try timeout. */
  static final String PER_TRY_TIMEOUT = "per_try_timeout";

  private final Exchange exchange;
  private final RetryPolicy policy;
  private final boolean policyApplies;
  private final RetryBudget budget;
  private final LongUnaryOperator random;
  // Made when first needed: most requests have no per-try timeout and are never tried again.
  private @Nullable Timeout perTry;
  private @Nullable Timeout backoff;
  private @Nullable UpstreamLease lease;
  private @Nullable EndpointTries tries;
  private int connectRetriesCounted;
  private int retries;
  private boolean retryTaken;

  RequestAttempt(Exchange exchange) {
    this(exchange, bound -> ThreadLocalRandom.current().nextLong(bound));
  }

  /** {@code random}: a long in [0, bound) (tests inject their own). */
  RequestAttempt(Exchange exchange, LongUnaryOperator random) {
    this.exchange = exchange;
    this.policy = exchange.config.retryOrDefault();
    this.policyApplies =
        policy.appliesTo(exchange.head.method().name())
            && exchange.upgrade == null
            && exchange.connect == null;
    this.budget = exchange.backend.source().retryBudget();
    this.random = random;
  }

  /**
   * Where the body forwarded is kept for a retry; null when there is no body or the policy can
   * never try the request again.
   */
  @Nullable ReplayBody replayBody(boolean bodyless) {
    return !bodyless && policyApplies && policy.attempts() > 0
        ? new ReplayBody(policy.maxReplayBytes())
        : null;
  }

  /** The lease the request goes on; null before the first and while asking for another. */
  @Nullable UpstreamLease lease() {
    return lease;
  }

  /** Asks for a lease: {@code Exchange.leased} gets it, or {@code Exchange.noLease} the failure. */
  void acquire() {
    if (tries == null) {
      tries = new EndpointTries(exchange.config.timeouts().connect());
      budget.requestStarted();
    }
    exchange
        .backend
        .source()
        .acquire(exchange.loop, tries)
        .addListener((Future<UpstreamLease> f) -> onAcquired(f));
  }

  private void onAcquired(Future<UpstreamLease> acquired) {
    countConnectRetries();
    if (!acquired.isSuccess()) {
      exchange.noLease(acquired.cause());
      return;
    }
    UpstreamLease got = acquired.getNow();
    if (exchange.done()) {
      got.release(false);
      return;
    }
    lease = got;
    exchange.leased(got);
  }

  /** The whole request went on this try's lease: its per-try timeout starts. */
  void requestSent() {
    Duration timeout = policy.perTryTimeout();
    if (timeout != null && lease != null) {
      if (perTry == null) {
        perTry = new Timeout(exchange::perTryTimedOut);
      }
      perTry.arm(exchange.loop, timeout.toNanos());
    }
  }

  /** A response head came: no per-try timeout any more. */
  void responded() {
    cancelPerTry();
  }

  private void cancelPerTry() {
    if (perTry != null) {
      perTry.cancel();
    }
  }

  /** Tries after the first so far. */
  int retries() {
    return retries;
  }

  /** The sentence of a 504 for a try without a response head within its per-try timeout. */
  String perTrySentence() {
    return "the upstream of rule "
        + exchange.rule.name()
        + " did not respond within the per-try timeout "
        + Durations.format(requireNonNull(policy.perTryTimeout()))
        + " (try "
        + (retries + 1)
        + " of at most "
        + (policy.attempts() + 1)
        + ")";
  }

  /**
   * What follows the lease's connection or stream ending ({@code cause}) in {@code phase}: sent
   * again at once when the upstream refused the stream unprocessed, after a backoff when the policy
   * retries resets, else answered. {@code replayable}: the whole body is still at hand.
   */
  Next afterClose(Throwable cause, Phase phase, boolean replayable) {
    if (phase != Phase.FORWARDING || !replayable || tries == null) {
      if (phase == Phase.FORWARDING && !replayable && policyApplies) {
        forgone("body");
      }
      return Next.ANSWER;
    }
    if (cause instanceof StreamRefusedException) {
      // Unprocessed: sent again at once while the refusals allow; past them, the answer.
      if (!tries.retryRefused()) {
        return Next.ANSWER;
      }
      exchange.metrics.upstreamError(exchange.rule.name(), "refused");
      return Next.AGAIN_NOW;
    }
    return policy.retries(RetryPolicy.On.RESET) && mayRetry() ? retry("reset") : Next.ANSWER;
  }

  /** What follows a response head of {@code status} (before anything of it went downstream). */
  Next afterStatus(int status, boolean replayable) {
    if (!policy.retries(status)) {
      return Next.ANSWER;
    }
    if (!replayable) {
      if (policyApplies) {
        forgone("body");
      }
      return Next.ANSWER;
    }
    return mayRetry() ? retry("status") : Next.ANSWER;
  }

  /**
   * What follows a try that ran out of its time ({@code kind}: {@link #PER_TRY_TIMEOUT}, no
   * response head within the policy's per-try timeout; {@link ExchangeTimers#BACKEND_REQUEST}, no
   * whole response within the rule's backend-request timeout, nothing of it gone downstream yet):
   * both are the policy's {@code PerTryTimeout} outcome, counted by their kind.
   */
  Next afterTryTimeout(String kind, boolean replayable) {
    if (!policy.retries(RetryPolicy.On.PER_TRY_TIMEOUT)) {
      return Next.ANSWER;
    }
    if (!replayable) {
      if (policyApplies) {
        forgone("body");
      }
      return Next.ANSWER;
    }
    return mayRetry() ? retry(kind) : Next.ANSWER;
  }

  /** True when the policy allows one more try now: counted as forgone by why when it does not. */
  private boolean mayRetry() {
    if (!policyApplies) {
      return false;
    }
    if (retries >= policy.attempts()) {
      forgone("attempts");
      return false;
    }
    if (!retryTaken) {
      if (!budget.tryRetry(policy.budget())) {
        forgone("budget");
        return false;
      }
      retryTaken = true;
    }
    return true;
  }

  private Next retry(String reason) {
    retries++;
    exchange.metrics.retried(exchange.rule.name(), reason);
    return Next.AGAIN_LATER;
  }

  private void forgone(String why) {
    exchange.metrics.retryForgone(exchange.rule.name(), why);
  }

  /**
   * Gives the failed try's lease back (never reused: an HTTP/1.1 connection closes, an HTTP/2
   * stream that is still open is reset) and asks for the next one, now or after the backoff.
   */
  void again(Next next) {
    cancelPerTry();
    UpstreamLease failed = lease;
    lease = null;
    if (failed != null) {
      failed.release(false);
    }
    if (next == Next.AGAIN_NOW) {
      acquire();
      return;
    }
    requireNonNull(tries).nextAttempt();
    if (backoff == null) {
      backoff = new Timeout(this::acquire);
    }
    backoff.arm(exchange.loop, backoffNanos(policy, retries, random));
  }

  /**
   * The wait before retry number {@code retry} (from 1): a random time up to {@code backoff} ×
   * 2^(retry-1), at most {@code maxBackoff} (full jitter, so retries of many requests spread out).
   */
  static long backoffNanos(RetryPolicy policy, int retry, LongUnaryOperator random) {
    long base = policy.backoff().toNanos();
    long max = policy.maxBackoff().toNanos();
    int doublings = Math.min(Math.max(retry - 1, 0), 30);
    long bound = base > (max >> doublings) ? max : Math.min(max, base << doublings);
    return random.applyAsLong(bound + 1);
  }

  /** Connection attempts the pool tried again elsewhere: counted, each once. */
  private void countConnectRetries() {
    int retried = tries == null ? 0 : tries.connectFailuresRetried();
    for (; connectRetriesCounted < retried; connectRetriesCounted++) {
      exchange.metrics.upstreamError(exchange.rule.name(), "connect_retried");
    }
  }

  /** The exchange ended: timers cancelled, the lease given back, the budget's counts returned. */
  void release(boolean reusable) {
    cancelPerTry();
    if (backoff != null) {
      backoff.cancel();
    }
    if (lease != null) {
      lease.release(reusable);
    }
    if (tries != null) {
      budget.requestEnded();
    }
    if (retryTaken) {
      budget.retryEnded();
      retryTaken = false;
    }
  }
}
