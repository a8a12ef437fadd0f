package dev.sluice.sidecar.upstream;

import dev.sluice.sidecar.config.Endpoint;
import dev.sluice.sidecar.config.Upstream;
import dev.sluice.sidecar.endpoints.Balancer;
import dev.sluice.sidecar.endpoints.EndpointSet;
import dev.sluice.sidecar.endpoints.EndpointTable;
import dev.sluice.sidecar.endpoints.NoEndpointException;
import dev.sluice.sidecar.endpoints.OutlierDetector;
import dev.sluice.sidecar.endpoints.UpstreamEndpoint;
import dev.sluice.sidecar.transport.Io;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections to one upstream (one {@link Upstream} config; rules with equal upstreams share it).
 * Which endpoint a request goes to is chosen by one {@link Balancer} for the whole sidecar; the
 * connections themselves are pooled per event loop and endpoint ({@link LoopPools}), so an upstream
 * channel always lives on the event loop of the downstream channel it serves: no cross-thread
 * hand-offs on the forwarding path.
 *
 * <p>The endpoints are the upstream's static ones, or its cluster's in the {@link EndpointTable},
 * followed live: an update swaps the {@link EndpointSet}, and each loop then retires its
 * connections to endpoints that no longer take requests (idle ones close, busy ones once their
 * request ended).
 *
 * <p>Endpoints that keep failing are ejected for a while ({@link OutlierDetector}): connection
 * attempts report here, response heads and early closes through the {@link EndpointLease}.
 */
public final class UpstreamPool implements LeaseSource, AutoCloseable, EndpointTable.Subscriber {
  private static final Logger log = LoggerFactory.getLogger(UpstreamPool.class);

  private final Upstream config;
  private final Io io;
  private final @Nullable SslContext tls;
  private final @Nullable EndpointTable table;
  private final Balancer balancer;
  private final RetryBudget retryBudget = new RetryBudget();
  private final OutlierDetector outliers;
  private final ConcurrentMap<EventLoop, LoopPools> pools = new ConcurrentHashMap<>();
  private volatile EndpointSet endpoints;
  private volatile boolean closed;

  /** What every per-loop, per-endpoint pool offers. */
  interface LoopPool {
    Future<UpstreamLease> acquire(Duration connectTimeout);

    /** Takes no new request, closes what is idle; true while it still holds tunnels. */
    boolean retire();

    void close();
  }

  /** A pool of {@code config}; a cluster's endpoints come from {@code table}. */
  public UpstreamPool(Upstream config, Io io, EndpointTable table) {
    this(config, io, table, OutlierDetector.Events.NONE);
  }

  /** As above, ejections and returns counted in {@code ejections}. */
  public UpstreamPool(
      Upstream config, Io io, EndpointTable table, OutlierDetector.Events ejections) {
    this(
        config,
        io,
        table,
        Balancer.of(config.loadBalancerOrDefault()),
        ejections,
        System::nanoTime);
  }

  UpstreamPool(
      Upstream config,
      Io io,
      EndpointTable table,
      Balancer balancer,
      OutlierDetector.Events ejections,
      LongSupplier nanoTime) {
    this.config = config;
    this.io = io;
    this.balancer = balancer;
    this.tls = config.protocol() == Upstream.Protocol.H2 ? UpstreamTlsContexts.build(config) : null;
    boolean cluster = config.cluster() != null;
    this.endpoints =
        EndpointSet.of(config.cluster(), cluster ? null : config.staticEndpoints(), null);
    this.table = cluster ? table : null;
    this.outliers =
        new OutlierDetector(
            config.outlierDetectionOrDefault(), name(), () -> endpoints, ejections, nanoTime);
    if (cluster) {
      table.subscribe(this); // told the cluster's endpoints at once
    }
  }

  /** A lease on {@code loop}: an idle or new HTTP/1.1 connection, or a new HTTP/2 stream. */
  @Override
  public Future<UpstreamLease> acquire(EventLoop loop, EndpointTries tries) {
    if (closed) {
      return loop.newFailedFuture(new IllegalStateException("upstream pool closed"));
    }
    LoopPools known = pools.get(loop); // the common case allocates nothing
    LoopPools pool = known != null ? known : pools.computeIfAbsent(loop, this::newLoopPools);
    Promise<UpstreamLease> promise = loop.newPromise();
    if (loop.inEventLoop()) {
      acquireOn(pool, tries, promise);
    } else {
      loop.execute(() -> acquireOn(pool, tries, promise));
    }
    return promise;
  }

  /** Picks an endpoint and gets a lease on it, trying another while {@code tries} allows. */
  private void acquireOn(LoopPools pool, EndpointTries tries, Promise<UpstreamLease> promise) {
    EndpointSet set = outliers.pickable(endpoints);
    UpstreamEndpoint target = balancer.pick(set, tries.tried());
    if (target == null) {
      promise.tryFailure(new NoEndpointException(set.whyNone()));
      return;
    }
    int eligible = set.eligible().size();
    Duration timeout = tries.start(target, eligible);
    target.started();
    pool.forEndpoint(target)
        .acquire(timeout)
        .addListener(
            (Future<UpstreamLease> f) -> {
              if (f.isSuccess()) {
                EndpointLease lease = new EndpointLease(f.getNow(), target, outliers);
                if (!promise.trySuccess(lease)) {
                  lease.release(false); // the acquirer gave up meanwhile
                }
                return;
              }
              target.ended();
              if (!closed && endpointFailed(f.cause())) {
                outliers.failed(target);
              }
              if (!closed && !promise.isDone() && tries.retryConnect(f.cause(), eligible)) {
                log.debug("{}: {}; trying another endpoint", target, f.cause().toString());
                acquireOn(pool, tries, promise);
              } else {
                promise.tryFailure(f.cause());
              }
            });
  }

  /** True when {@code cause} says the endpoint failed, not the pool (closed, or all busy). */
  private static boolean endpointFailed(Throwable cause) {
    return !(cause instanceof IllegalStateException)
        && !(cause instanceof NoConnectionAvailableException);
  }

  private LoopPools newLoopPools(EventLoop loop) {
    return new LoopPools(loop, endpoint -> newLoopPool(loop, endpoint), () -> endpoints);
  }

  private LoopPool newLoopPool(EventLoop loop, UpstreamEndpoint endpoint) {
    int max = config.maxConnectionsPerEndpoint();
    return config.protocol() == Upstream.Protocol.HTTP1
        ? new Http1LoopPool(loop, io, endpoint.hostPort(), max)
        : new Http2LoopPool(loop, io, endpoint.hostPort(), max, tls, config);
  }

  @Override
  public RetryBudget retryBudget() {
    return retryBudget;
  }

  /** The cluster this pool follows; empty for static endpoints (never subscribed then). */
  @Override
  public String cluster() {
    return Objects.requireNonNullElse(config.cluster(), "");
  }

  /** New endpoints (from the table, or static ones changed in place): swapped in, then retired. */
  @Override
  public synchronized void endpointsChanged(@Nullable List<Endpoint> next) {
    EndpointSet now = endpoints;
    if (Objects.equals(now.source(), next)) {
      return;
    }
    endpoints = EndpointSet.of(config.cluster(), next, now);
    pools.forEach((loop, pool) -> loop.execute(pool::retireIneligible));
  }

  /** Static endpoints changed in place (a config whose only change they are). */
  public void replaceStaticEndpoints(List<String> addresses) {
    endpointsChanged(addresses.stream().map(Endpoint::ready).toList());
  }

  /** The upstream's name in logs and metrics: its cluster, or {@code (static)}. */
  public String name() {
    String cluster = config.cluster();
    return cluster == null ? "(static)" : cluster;
  }

  /** Which endpoints are ejected, and for how long. */
  public OutlierDetector outliers() {
    return outliers;
  }

  /** The endpoints now, with their states and loads. */
  public EndpointSet endpoints() {
    return endpoints;
  }

  public Upstream config() {
    return config;
  }

  /** Closes every connection (the generation that owned the pool has drained). */
  @Override
  public void close() {
    closed = true;
    if (table != null) {
      table.unsubscribe(this);
    }
    pools.forEach((loop, pool) -> loop.execute(pool::close));
  }
}
