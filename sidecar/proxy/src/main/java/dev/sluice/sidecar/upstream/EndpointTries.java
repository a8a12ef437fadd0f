package dev.sluice.sidecar.upstream;

import dev.sluice.sidecar.endpoints.NoEndpointException;
import dev.sluice.sidecar.endpoints.UpstreamEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One request's tries at an upstream, across endpoints: which endpoints it tried, and whether it
 * may try again. A request is tried again only when nothing of it reached the upstream:
 *
 * <ul>
 *   <li>its connection attempt failed (refused, timed out, TLS or the HTTP/2 preface failed): again
 *       on an endpoint it has not tried, while there is one, at most {@link #MAX_TRIES} tries in
 *       all, within the rule's connect timeout counted from the first try. Each try gets the budget
 *       left divided by the tries still possible, so one endpoint that does not answer cannot eat
 *       the whole budget when there are others (with one endpoint it gets all of it, as before);
 *   <li>its HTTP/2 stream was refused (REFUSED_STREAM, or past a GOAWAY's last stream id): again,
 *       on another endpoint when there is one or else a new connection, at most {@link #MAX_TRIES}
 *       tries in all; the connect budget starts over, as the refusal may come at any time.
 * </ul>
 *
 * A retry policy's next try ({@link #nextAttempt}) starts these counts over and avoids the
 * endpoints tried before. Event-loop confined (the request's loop).
 */
public final class EndpointTries {
  /** Tries per request, at most, whatever went wrong. */
  public static final int MAX_TRIES = 3;

  private final Duration connectTimeout;
  private final LongSupplier nanoTime;
  private final List<UpstreamEndpoint> tried = new ArrayList<>(MAX_TRIES);
  private int tries;
  private int connectFailures;
  private int refusals;
  private long deadline;

  public EndpointTries(Duration connectTimeout) {
    this(connectTimeout, System::nanoTime);
  }

  EndpointTries(Duration connectTimeout, LongSupplier nanoTime) {
    this.connectTimeout = connectTimeout;
    this.nanoTime = nanoTime;
  }

  /** Records a try on {@code target} among {@code eligible} endpoints; returns its timeout. */
  Duration start(UpstreamEndpoint target, int eligible) {
    long now = nanoTime.getAsLong();
    if (tries == 0) {
      deadline = now + connectTimeout.toNanos();
    }
    int possible = Math.max(1, Math.min(MAX_TRIES, eligible) - tries);
    long left = Math.max(deadline - now, Duration.ofMillis(1).toNanos());
    tries++;
    tried.add(target);
    return Duration.ofNanos(left / possible);
  }

  /** True when a failed connection attempt ({@code cause}) may be tried again elsewhere. */
  boolean retryConnect(Throwable cause, int eligible) {
    if (cause instanceof IllegalStateException || cause instanceof NoEndpointException) {
      return false; // the pool closed, or there is nowhere to go
    }
    if (tries >= Math.min(MAX_TRIES, eligible) || nanoTime.getAsLong() >= deadline) {
      return false;
    }
    connectFailures++;
    return true;
  }

  /** True (and the budget started over) when a refused stream may be sent again. */
  public boolean retryRefused() {
    if (tries >= MAX_TRIES || refusals >= MAX_TRIES - 1) {
      return false;
    }
    refusals++;
    deadline = nanoTime.getAsLong() + connectTimeout.toNanos();
    return true;
  }

  /**
   * A new try under the retry policy: its connection attempts and refusals count afresh (with a
   * fresh connect budget), and it goes to an endpoint not tried yet while there is one.
   */
  public void nextAttempt() {
    tries = 0;
    refusals = 0;
  }

  /** The endpoints tried so far, in order. */
  public Collection<UpstreamEndpoint> tried() {
    return tried;
  }

  /** Tries so far. */
  public int tries() {
    return tries;
  }

  /** Failed connection attempts that were tried again elsewhere. */
  public int connectFailuresRetried() {
    return connectFailures;
  }
}
