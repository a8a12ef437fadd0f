package dev.sluice.sidecar.mirror;

import dev.sluice.sidecar.config.RequestMirror;
import dev.sluice.sidecar.config.Timeouts;
import dev.sluice.sidecar.config.Upstream;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.upstream.LeaseSource;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * One mirror of a rule in a generation: where its copies get leases (the pool of its upstream,
 * shared with equal upstreams), which share of requests it copies, the largest body it copies, and
 * the permits of its upstream.
 */
public final class Mirror {
  final String rule;
  final LeaseSource source;
  final boolean http2;
  final long maxBodyBytes;
  final MirrorPermits permits;
  final Timeouts timeouts;
  final ProxyMetrics metrics;
  private final long numerator;
  private final long denominator;
  private final LongUnaryOperator random;

  /**
   * {@code random}: a long in [0, bound), the thread's random source in the proxy (tests pass a
   * seeded one).
   */
  Mirror(
      String rule,
      RequestMirror config,
      LeaseSource source,
      MirrorPermits permits,
      Timeouts timeouts,
      ProxyMetrics metrics,
      LongUnaryOperator random) {
    this.rule = rule;
    this.source = source;
    this.http2 = config.upstream().protocol() != Upstream.Protocol.HTTP1;
    this.maxBodyBytes = config.maxBodyBytes();
    this.permits = permits;
    this.timeouts = timeouts;
    this.metrics = metrics;
    long[] share = config.share();
    this.numerator = share[0];
    this.denominator = share[1];
    this.random = random;
  }

  /** {@code config} of rule {@code rule}, sampled with the calling thread's random source. */
  public Mirror(
      String rule,
      RequestMirror config,
      LeaseSource source,
      MirrorPermits permits,
      Timeouts timeouts,
      ProxyMetrics metrics) {
    this(
        rule,
        config,
        source,
        permits,
        timeouts,
        metrics,
        bound -> ThreadLocalRandom.current().nextLong(bound));
  }

  /** Whether this request is one of the share copied: numerator of every denominator, at random. */
  boolean sampled() {
    if (numerator >= denominator) {
      return true;
    }
    return numerator > 0 && random.applyAsLong(denominator) < numerator;
  }

  /** Counts a copy's end as {@code result}. */
  void count(MirrorCopy.Result result) {
    metrics.mirrored(rule, result.label);
  }
}
