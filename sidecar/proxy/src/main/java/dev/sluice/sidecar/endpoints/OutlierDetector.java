package dev.sluice.sidecar.endpoints;

import dev.sluice.sidecar.config.Durations;
import dev.sluice.sidecar.config.OutlierDetection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passive outlier detection for one upstream pool, shared by every event loop: an endpoint that
 * fails {@link OutlierDetection#consecutiveFailures} times in a row is ejected, and the balancer
 * picks from {@link #pickable} (the serving endpoints less the ejected ones) until its time is up.
 *
 * <ul>
 *   <li>The n-th ejection lasts {@code baseEjectionTime × n}, at most {@code maxEjectionTime}. Each
 *       {@code baseEjectionTime} spent back in service forgives one earlier ejection (Envoy lowers
 *       its multiplier while the host stays healthy), so an endpoint that failed once long ago is
 *       not held out for long the next time.
 *   <li>At most {@link #maxEjected} of the serving endpoints are ejected at once: the percentage
 *       rounded down, but at least one while two or more serve, and never the last one that serves.
 *       A failure past the threshold while the cap is reached ejects nothing (counted as over the
 *       cap); the endpoint is ejected at its next failure once there is room.
 *   <li>An ejected endpoint returns when its time is up, found lazily (at the next pick, failure or
 *       look), with its failure count at zero. Should every serving endpoint end up ejected (the
 *       endpoints changed under the ejections), the balancer picks from them all.
 * </ul>
 *
 * The hot path is lock-free: a pick reads one volatile snapshot (and the clock only while some
 * endpoint is ejected), a response with a success status reads the endpoint's counter. Ejections
 * and returns are decided under this object's lock, on failures and when a return is due.
 */
public final class OutlierDetector {
  private static final Logger log = LoggerFactory.getLogger(OutlierDetector.class);

  /** What is counted of ejections (the metrics); {@code upstream} names the cluster. */
  public interface Events {
    void ejected(String upstream);

    /** An endpoint failed enough to be ejected, but the cap allowed no more ejections. */
    void ejectionOverCap(String upstream);

    void returned(String upstream);

    /** Counts nothing. */
    Events NONE =
        new Events() {
          @Override
          public void ejected(String upstream) {}

          @Override
          public void ejectionOverCap(String upstream) {}

          @Override
          public void returned(String upstream) {}
        };
  }

  /** The set the balancer picks from for one endpoint set, and when it must be looked at again. */
  private record Pickable(
      EndpointSet source, EndpointSet set, boolean anyEjected, long nextReturn) {}

  private final OutlierDetection config;
  private final String upstream;
  private final Supplier<EndpointSet> current;
  private final Events events;
  private final LongSupplier nanoTime;
  private volatile @Nullable Pickable pickable;

  /**
   * Detection as {@code config} says for the endpoints {@code current} gives (the pool's set now),
   * {@code upstream} naming them in logs and {@code events}.
   */
  public OutlierDetector(
      OutlierDetection config,
      String upstream,
      Supplier<EndpointSet> current,
      Events events,
      LongSupplier nanoTime) {
    this.config = config;
    this.upstream = upstream;
    this.current = current;
    this.events = events;
    this.nanoTime = nanoTime;
  }

  /**
   * The endpoints of {@code set} a request may be sent to: its eligible ones less the ejected ones
   * (all of them when every one is ejected). Returns the endpoints whose ejection is over.
   */
  public EndpointSet pickable(EndpointSet set) {
    if (!config.enabled()) {
      return set;
    }
    Pickable known = pickable;
    if (known != null
        && known.source() == set
        && (!known.anyEjected() || nanoTime.getAsLong() - known.nextReturn() < 0)) {
      return known.set();
    }
    synchronized (this) {
      return refresh(set, nanoTime.getAsLong());
    }
  }

  /** A response head from {@code endpoint}: 502, 503 and 504 are failures, the rest successes. */
  public void responded(UpstreamEndpoint endpoint, int status) {
    if (status == 502 || status == 503 || status == 504) {
      failed(endpoint);
    } else {
      succeeded(endpoint);
    }
  }

  /** {@code endpoint} answered: its count of failures in a row starts over. */
  public void succeeded(UpstreamEndpoint endpoint) {
    if (endpoint.consecutiveFailures.get() != 0) { // no write (no cache line bounced) when healthy
      endpoint.consecutiveFailures.set(0);
    }
  }

  /**
   * {@code endpoint} failed: it could not be connected to, answered 502/503/504, or closed the
   * exchange before answering. Ejects it when that makes {@code consecutiveFailures} in a row and
   * the cap allows.
   */
  public void failed(UpstreamEndpoint endpoint) {
    if (!config.enabled()) {
      return;
    }
    int failures = endpoint.consecutiveFailures.incrementAndGet();
    if (failures >= config.consecutiveFailures()
        && (!endpoint.ejected || nanoTime.getAsLong() - endpoint.ejectedUntil >= 0)) {
      synchronized (this) {
        eject(endpoint);
      }
    }
  }

  /** How long {@code endpoint} stays ejected; null when it is not ejected. */
  public @Nullable Duration ejectionLeft(UpstreamEndpoint endpoint) {
    long left = endpoint.ejectedUntil - nanoTime.getAsLong();
    return endpoint.ejected && left > 0 ? Duration.ofNanos(left) : null;
  }

  /** The endpoints of the pool's set ejected now. */
  public List<UpstreamEndpoint> ejected() {
    List<UpstreamEndpoint> ejected = new ArrayList<>();
    for (EndpointSet.Member member : current.get().members()) {
      if (ejectionLeft(member.target()) != null) {
        ejected.add(member.target());
      }
    }
    return ejected;
  }

  /**
   * Endpoints of {@code serving} that may be ejected at once: {@code maxEjectionPercent} of them
   * rounded down, at least one while two or more serve, never the last one.
   */
  int maxEjected(int serving) {
    if (serving < 2) {
      return 0;
    }
    return Math.min(serving - 1, Math.max(1, serving * config.maxEjectionPercent() / 100));
  }

  /** How long the {@code n}-th ejection (counting from 1) lasts. */
  Duration ejectionTime(int n) {
    Duration base = config.baseEjectionTime();
    Duration max = config.maxEjectionTime();
    return n > max.dividedBy(base) ? max : base.multipliedBy(n);
  }

  private void eject(UpstreamEndpoint endpoint) {
    EndpointSet set = current.get();
    if (!set.serves(endpoint)) {
      return; // no longer serving (removed, or not ready): nothing to eject it from
    }
    long now = nanoTime.getAsLong();
    refresh(set, now); // ejections that are over end first, and do not count against the cap
    int failures = endpoint.consecutiveFailures.get();
    if (endpoint.ejected || failures < config.consecutiveFailures()) {
      // Ejected by another loop meanwhile; or its ejection just ended, and with it the count of
      // failures of requests sent before (a returning endpoint starts from zero).
      return;
    }
    int serving = set.eligible().size();
    int ejectedNow = 0;
    for (UpstreamEndpoint e : set.eligible()) {
      ejectedNow += e.ejected ? 1 : 0;
    }
    if (ejectedNow >= maxEjected(serving)) {
      log.debug(
          "{}: endpoint {} not ejected after {} failures in a row: {} of {} serving endpoints"
              + " ejected already (maxEjectionPercent {})",
          upstream,
          endpoint,
          failures,
          ejectedNow,
          serving,
          config.maxEjectionPercent());
      events.ejectionOverCap(upstream);
      return;
    }
    forgive(endpoint, now);
    endpoint.ejections++;
    Duration time = ejectionTime(endpoint.ejections);
    endpoint.ejectedUntil = now + time.toNanos();
    endpoint.ejected = true;
    endpoint.consecutiveFailures.set(0);
    log.info(
        "{}: endpoint {} ejected for {} after {} failures in a row (ejection {}; {} of {} serving"
            + " endpoints ejected)",
        upstream,
        endpoint,
        Durations.format(time),
        failures,
        endpoint.ejections,
        ejectedNow + 1,
        serving);
    events.ejected(upstream);
    refresh(set, now);
  }

  /** One earlier ejection forgiven per {@code baseEjectionTime} spent back in service. */
  private void forgive(UpstreamEndpoint endpoint, long now) {
    if (endpoint.ejections > 0) {
      long forgiven = (now - endpoint.returnedAt) / config.baseEjectionTime().toNanos();
      endpoint.ejections = (int) Math.max(0, endpoint.ejections - forgiven);
    }
  }

  /** Returns the endpoints of {@code set} whose time is up; the next snapshot. Under the lock. */
  private EndpointSet refresh(EndpointSet set, long now) {
    Set<UpstreamEndpoint> ejected = Collections.newSetFromMap(new IdentityHashMap<>());
    long nextReturn = 0;
    for (EndpointSet.Member member : set.members()) {
      UpstreamEndpoint endpoint = member.target();
      if (!endpoint.ejected) {
        continue;
      }
      if (now - endpoint.ejectedUntil >= 0) {
        endpoint.ejected = false;
        endpoint.returnedAt = now;
        endpoint.consecutiveFailures.set(0);
        log.info(
            "{}: endpoint {} returns to service (ejection {} is over)",
            upstream,
            endpoint,
            endpoint.ejections);
        events.returned(upstream);
        continue;
      }
      if (ejected.isEmpty() || endpoint.ejectedUntil - nextReturn < 0) {
        nextReturn = endpoint.ejectedUntil;
      }
      ejected.add(endpoint);
    }
    EndpointSet result = ejected.isEmpty() ? set : set.without(ejected);
    pickable = new Pickable(set, result, !ejected.isEmpty(), nextReturn);
    return result;
  }
}
