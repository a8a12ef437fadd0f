package dev.sluice.sidecar.offload;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.config.Endpoint;
import dev.sluice.sidecar.config.HostPort;
import dev.sluice.sidecar.endpoints.EndpointTable;
import dev.sluice.sidecar.flow.CoalescedFlushes;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.transport.Io;
import dev.sluice.spop.Message;
import dev.sluice.spop.SpopFrameDecoder;
import dev.sluice.spop.SpopFrameEncoder;
import dev.sluice.spop.SpopStatus;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's client for one agent: a pool of SPOP connections (at most {@code maxConnections},
 * pipelined when the agent agrees), health checks, and paced reconnects.
 *
 * <p><b>The processing timeout is a promise.</b> {@link #send} schedules the event's deadline on
 * the caller's own event loop before anything else happens, and that timer alone decides when the
 * caller stops waiting: a stalled agent, a dropped or half-open connection, a full pool, a busy
 * pool loop, a reload, or a slow client cannot postpone it. The ACK, a failure and the deadline
 * race to complete the same promise; the first wins and the others are dropped.
 *
 * <p>The endpoints are the agent's static ones, or its cluster's in the {@link EndpointTable},
 * followed live ({@link AgentEndpoints}): a new endpoint is health-checked and takes connections at
 * once; one that no longer serves takes no new event, and its connections close once the events on
 * them are answered or timed out (never before: the processing timeout stays the only deadline).
 *
 * <p>Pool state is confined to one event loop; callers on other loops hop to it.
 */
public final class AgentClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentClient.class);

  private final AgentSettings settings;
  private final Io io;
  private final EventLoop loop;
  private final ProxyMetrics metrics;
  private final List<ClientConnection> connections = new ArrayList<>();
  private final ArrayDeque<PendingEvent> waiting = new ArrayDeque<>();
  private final AgentEndpoints endpoints;
  private final ClientConnection.Owner owner = new PoolOwner();
  private final @Nullable ClusterFollower follower;
  private boolean closed;
  private int lastFailureStatus = SpopStatus.IO_ERROR;
  private String lastFailure = "no connection attempt yet";
  private volatile boolean available;
  private volatile @Nullable AgentHealth health;
  private volatile AgentEndpointsView view;
  private volatile int openConnections;

  @SuppressWarnings("UnnecessaryLambda") // one instance: metrics remove it by identity on close
  private final BooleanSupplier availability = () -> available;

  private @Nullable ScheduledFuture<?> healthTask;
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong timeouts = new AtomicLong();

  /**
   * A client of the agent {@code settings} describes; a cluster's endpoints come from {@code
   * table}.
   */
  public AgentClient(
      AgentSettings settings, Io io, EventLoop loop, ProxyMetrics metrics, EndpointTable table) {
    this.settings = settings;
    this.io = io;
    this.loop = loop;
    this.metrics = metrics;
    this.endpoints = new AgentEndpoints(settings.cluster(), settings.endpoints());
    this.view = endpoints.view();
    metrics.agentAvailability(settings.name(), availability);
    loop.execute(this::healthChecks);
    String cluster = settings.cluster();
    this.follower = cluster == null ? null : new ClusterFollower(cluster, table);
    if (follower != null) {
      table.subscribe(follower); // told the cluster's endpoints at once
    }
  }

  /** Follows the agent's cluster: each update hops onto the client's loop, in order. */
  private final class ClusterFollower implements EndpointTable.Subscriber {
    private final String cluster;
    private final EndpointTable table;

    ClusterFollower(String cluster, EndpointTable table) {
      this.cluster = cluster;
      this.table = table;
    }

    @Override
    public String cluster() {
      return cluster;
    }

    @Override
    public void endpointsChanged(@Nullable List<Endpoint> next) {
      onLoop(() -> AgentClient.this.endpointsChanged(next));
    }
  }

  public AgentSettings settings() {
    return settings;
  }

  /** Events sent and awaiting their outcome. */
  public int pending() {
    return pending.get();
  }

  /** Events that ended at their processing timeout, since the client started. */
  public long timeouts() {
    return timeouts.get();
  }

  /**
   * Endpoints and how many passed their last health check; null until every endpoint was checked
   * once (before that, "none available" would be a guess).
   */
  public @Nullable AgentHealth health() {
    return health;
  }

  /** The agent's endpoints with their states and health, as {@code /config} shows them. */
  public AgentEndpointsView endpoints() {
    return view;
  }

  public boolean available() {
    return available;
  }

  /**
   * Sends one event's messages. The result completes on {@code caller} no later than the processing
   * timeout after this call.
   */
  public Future<OffloadResult> send(EventExecutor caller, List<Message> messages) {
    Promise<OffloadResult> result = caller.newPromise();
    PendingEvent event = new PendingEvent(messages, result);
    ScheduledFuture<?> deadline =
        caller.schedule(
            () -> {
              if (result.trySuccess(OffloadResult.timedOut(settings.name(), event.millis()))) {
                onLoop(() -> forget(event));
              }
            },
            settings.processingTimeout().toNanos(),
            TimeUnit.NANOSECONDS);
    pending.incrementAndGet();
    result.addListener(
        f -> {
          deadline.cancel(false);
          pending.decrementAndGet();
          OffloadResult outcome = result.getNow();
          if (outcome.error() == OffloadResult.TIMEOUT) {
            timeouts.incrementAndGet();
          }
          metrics.offload(settings.name(), outcome.outcome(), outcome.millis());
        });
    if (!onLoop(() -> dispatch(event))) {
      result.trySuccess(OffloadResult.ioError("the agent client is shut down", 0));
    }
    return result;
  }

  private boolean onLoop(Runnable task) {
    try {
      loop.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  private void dispatch(PendingEvent event) {
    if (event.done()) {
      return;
    }
    if (closed) {
      ClientConnection ready = pickReady();
      if (ready != null) {
        ready.send(event);
      } else {
        event.result.trySuccess(
            OffloadResult.ioError(
                "agent " + settings.name() + " client is closing", event.millis()));
      }
      return;
    }
    waiting.add(event);
    progress();
  }

  /** Sends what can be sent, opens what is needed, and fails what nothing can serve. */
  private void progress() {
    drainWaiting();
    if (closed) {
      failWaiting(SpopStatus.IO_ERROR, "agent " + settings.name() + " client is closing");
      return;
    }
    long now = System.nanoTime();
    while (wantsConnection()) {
      HostPort endpoint = endpoints.next(now);
      if (endpoint == null) {
        break;
      }
      connect(endpoint);
    }
    if (!waiting.isEmpty() && !hasServingConnection()) {
      // Nothing open, nothing connecting, every endpoint backing off or none to connect to: answer
      // now instead of letting requests wait out their timeout for a connection that will not come.
      String none = endpoints.whyNone();
      if (none != null) {
        failWaiting(SpopStatus.IO_ERROR, "agent " + settings.name() + ": " + none);
      } else {
        failWaiting(
            lastFailureStatus,
            "agent " + settings.name() + " unreachable (retrying later): " + lastFailure);
      }
    }
  }

  /** True while a connection open or opening may take the waiting events. */
  private boolean hasServingConnection() {
    for (ClientConnection c : connections) {
      if (endpoints.serves(c.endpoint())) {
        return true;
      }
    }
    return false;
  }

  private boolean wantsConnection() {
    int live = 0;
    for (PendingEvent e : waiting) {
      if (!e.done()) {
        live++;
      }
    }
    if (live == 0) {
      return false;
    }
    // Connections draining from endpoints that left do not count: they take no event, and for a
    // processing timeout at most the agent has up to twice maxConnections open.
    int serving = 0;
    int connecting = 0;
    for (ClientConnection c : connections) {
      if (endpoints.serves(c.endpoint())) {
        serving++;
        connecting += c.ready() ? 0 : 1;
      }
    }
    if (serving >= settings.maxConnections()) {
      return false;
    }
    int perConnection = settings.pipelining() ? settings.maxInFlightPerConnection() : 1;
    return connecting * perConnection < live;
  }

  private void connect(HostPort endpoint) {
    ClientConnection connection = new ClientConnection(settings, endpoint, owner);
    connections.add(connection);
    openConnections = connections.size();
    ChannelFuture connecting =
        open(
            endpoint,
            new IdleStateHandler(0, 0, settings.idleTimeout().toNanos(), TimeUnit.NANOSECONDS),
            connection);
    connecting.addListener(
        f -> {
          if (!f.isSuccess()) {
            connections.remove(connection);
            openConnections = connections.size();
            endpointFailed(endpoint, SpopStatus.IO_ERROR, "connect: " + describe(f.cause()));
            progress();
          }
        });
  }

  /** Connects to {@code endpoint} with the SPOP codecs, then {@code handlers}. */
  private ChannelFuture open(HostPort endpoint, ChannelHandler... handlers) {
    return io.upstream(loop, settings.helloTimeout())
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                CoalescedFlushes.install(ch.pipeline());
                ch.pipeline()
                    .addLast("spop-decoder", new SpopFrameDecoder(settings.maxFrameSize()))
                    .addLast("spop-encoder", new SpopFrameEncoder(settings.maxFrameSize()))
                    .addLast(handlers);
              }
            })
        .connect(endpoint.host(), endpoint.port());
  }

  /** The least busy connection that can take an event now, to an endpoint that still serves. */
  private @Nullable ClientConnection pickReady() {
    ClientConnection best = null;
    for (ClientConnection c : connections) {
      if (c.hasCapacity()
          && endpoints.serves(c.endpoint())
          && (best == null || c.inFlight() < best.inFlight())) {
        best = c;
      }
    }
    return best;
  }

  private void drainWaiting() {
    while (!waiting.isEmpty()) {
      PendingEvent next = waiting.peek();
      if (next.done()) {
        waiting.poll();
        continue;
      }
      ClientConnection ready = pickReady();
      if (ready == null) {
        return;
      }
      waiting.poll();
      ready.send(next);
    }
  }

  private void failWaiting(int status, String why) {
    PendingEvent event;
    while ((event = waiting.poll()) != null) {
      event.result.trySuccess(OffloadResult.failed(status, why, event.millis()));
    }
  }

  private void forget(PendingEvent event) {
    waiting.remove(event);
    if (event.connection != null) {
      event.connection.forget(event);
    }
  }

  private void endpointFailed(HostPort endpoint, int status, String why) {
    AgentEndpoints.State state = endpoints.state(endpoint);
    if (state == null) {
      return; // it left meanwhile: nothing to pace, and its failure says nothing of the others
    }
    state.backoff.failed(System.nanoTime());
    lastFailureStatus = status;
    lastFailure = endpoint + ": " + why;
    log.debug(
        "agent {} endpoint {} failed ({} in a row): {}",
        settings.name(),
        endpoint,
        state.backoff.failures(),
        why);
  }

  /**
   * The cluster's endpoints changed: new ones are checked at once and take connections; the
   * connections to those that left take no new event and close once drained; waiting events go
   * where they can, or fail now when nothing is left to connect to.
   */
  private void endpointsChanged(@Nullable List<Endpoint> next) {
    if (closed) {
      return;
    }
    String noneBefore = endpoints.whyNone();
    List<HostPort> added = endpoints.update(next);
    for (HostPort endpoint : added) {
      probe(endpoint, requireNonNull(endpoints.state(endpoint)));
    }
    for (ClientConnection c : List.copyOf(connections)) {
      closeIfDrained(c);
    }
    String none = endpoints.whyNone();
    if (none != null && !none.equals(noneBefore)) {
      log.info("agent {}: {}", settings.name(), none);
    } else if (none == null && noneBefore != null) {
      log.info(
          "agent {}: cluster {} has {} endpoint(s) to connect to",
          settings.name(),
          settings.cluster(),
          added.size());
    }
    refreshHealth();
    progress();
  }

  /** Publishes health, availability and the view from the current endpoints. */
  private void refreshHealth() {
    available = endpoints.anyUp();
    health = endpoints.health();
    view = endpoints.view();
  }

  /** Pool callbacks from connections (all on the pool loop). */
  private final class PoolOwner implements ClientConnection.Owner {
    @Override
    public void ready(ClientConnection connection) {
      AgentEndpoints.State state = endpoints.state(connection.endpoint());
      if (state != null) {
        state.backoff.succeeded();
      }
      progress();
      closeIfDrained(connection);
    }

    @Override
    public void capacity(ClientConnection connection) {
      progress();
      closeIfDrained(connection);
    }

    @Override
    public void closed(
        ClientConnection connection, boolean handshakeFailed, int status, String why) {
      connections.remove(connection);
      openConnections = connections.size();
      if (handshakeFailed) {
        endpointFailed(connection.endpoint(), status, why);
      }
      progress();
    }
  }

  /** Closes a connection of a closed client, or to an endpoint that left, once it is idle. */
  private void closeIfDrained(ClientConnection connection) {
    if ((closed || !endpoints.serves(connection.endpoint())) && connection.inFlight() == 0) {
      connection.shutdown();
    }
  }

  // Health checks

  private void healthChecks() {
    if (closed) {
      return;
    }
    endpoints.forEach(this::probe);
    healthTask =
        loop.schedule(
            this::healthChecks, settings.healthInterval().toNanos(), TimeUnit.NANOSECONDS);
  }

  private void probe(HostPort endpoint, AgentEndpoints.State state) {
    if (state.probing) {
      return;
    }
    state.probing = true;
    Promise<String> outcome = loop.newPromise();
    ChannelFuture connecting = open(endpoint, new HealthProbe(settings.maxFrameSize(), outcome));
    connecting.addListener(
        f -> {
          if (!f.isSuccess()) {
            outcome.trySuccess("health check: connect: " + describe(f.cause()));
          }
        });
    ScheduledFuture<?> timeout =
        loop.schedule(
            () -> {
              if (outcome.trySuccess("health check: no AGENT-HELLO within the hello timeout")) {
                ChannelFuture unused = connecting.channel().close(); // the check is over
              }
            },
            settings.helloTimeout().toNanos(),
            TimeUnit.NANOSECONDS);
    outcome.addListener(
        f -> {
          timeout.cancel(false);
          state.probing = false;
          String failure = outcome.getNow();
          boolean wasUp = state.up;
          state.up = failure == null;
          if (state.up && !wasUp) {
            // Back from down: try regular connections again now. A check that merely stays up
            // does not reset the pacing: an agent may pass checks yet refuse real HELLOs.
            state.backoff.succeeded();
          }
          if (wasUp != state.up) {
            log.info(
                "agent {} endpoint {} is {}{}",
                settings.name(),
                endpoint,
                state.up ? "up" : "down",
                failure == null ? "" : ": " + failure);
          }
          state.checked = true;
          refreshHealth();
        });
  }

  /**
   * Stops opening connections and health checks. Events already sent keep their connection until
   * answered or timed out (the connection then says HAPROXY-DISCONNECT and closes); nothing
   * outlives the processing timeout. Returns at once.
   */
  @Override
  public void close() {
    metrics.removeAgentAvailability(settings.name(), availability);
    if (follower != null) {
      follower.table.unsubscribe(follower);
    }
    onLoop(
        () -> {
          if (closed) {
            return;
          }
          closed = true;
          if (healthTask != null) {
            healthTask.cancel(false);
          }
          failWaiting(SpopStatus.IO_ERROR, "agent " + settings.name() + " client is closing");
          for (ClientConnection c : List.copyOf(connections)) {
            closeIfDrained(c);
          }
          // The last sweep: nothing cancels or waits for it.
          ScheduledFuture<?> unused =
              loop.schedule(
                  () -> {
                    for (ClientConnection c : List.copyOf(connections)) {
                      c.abandon(SpopStatus.IO_ERROR, "the agent client closed");
                    }
                  },
                  settings.processingTimeout().toMillis() + 100,
                  TimeUnit.MILLISECONDS);
        });
  }

  /** Connections open or opening (tests, metrics). Pool loop only. */
  int connectionCount() {
    return connections.size();
  }

  /** Connections open or opening, from any thread (a snapshot). */
  public int connections() {
    return openConnections;
  }

  private static String describe(@Nullable Throwable cause) {
    return cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
