package dev.sluice.sidecar.upstream;

import dev.sluice.sidecar.config.RetryPolicy;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One upstream's requests and retries in flight, across the sidecar (every event loop's): a retry
 * under a policy runs only while the retries in flight stay within the policy's {@link
 * RetryPolicy.Budget} of the requests in flight, so a failing upstream gets a bounded share of
 * extra load instead of a multiple of it. Thread-safe.
 */
public final class RetryBudget {
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger retries = new AtomicInteger();

  /** A request started asking this upstream (it counts until {@link #requestEnded}). */
  public void requestStarted() {
    requests.incrementAndGet();
  }

  public void requestEnded() {
    requests.decrementAndGet();
  }

  /**
   * Takes a retry from the budget: true (counted until {@link #retryEnded}) when the retries in
   * flight are fewer than {@code budget} allows for the requests in flight now.
   */
  public boolean tryRetry(RetryPolicy.Budget budget) {
    while (true) {
      int now = retries.get();
      if (now >= budget.allowed(requests.get())) {
        return false;
      }
      if (retries.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** A request that took a retry ended. */
  public void retryEnded() {
    retries.decrementAndGet();
  }

  /** Requests in flight. */
  public int requests() {
    return requests.get();
  }

  /** Requests in flight that took a retry. */
  public int retries() {
    return retries.get();
  }
}
