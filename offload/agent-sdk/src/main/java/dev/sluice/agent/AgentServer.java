package dev.sluice.agent;

import dev.sluice.spop.Hellos;
import dev.sluice.spop.SpopFrameDecoder;
import dev.sluice.spop.SpopFrameEncoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An SPOE agent: listens for SPOP clients (HAProxy, Sluice's sidecar) and answers their NOTIFYs
 * with the {@link AgentHandler}'s actions.
 *
 * <pre>{@code
 * try (AgentServer agent = AgentServer.builder(AgentHandler.sync(n -> List.of(
 *         Action.set(Scope.TXN, "score", SpopValue.of(42)))))
 *     .listen(new InetSocketAddress("127.0.0.1", 12345))
 *     .start()) {
 *   agent.awaitClose();
 * }
 * }</pre>
 *
 * <p>{@link #close()} is graceful: it stops accepting, lets NOTIFYs in progress be answered (up to
 * the grace period), then says AGENT-DISCONNECT (status 0) on every connection and closes.
 */
public final class AgentServer implements AutoCloseable {
  private final Builder config;
  private final EventLoopGroup group;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Channel server;
  private final AtomicBoolean closed = new AtomicBoolean();

  private AgentServer(Builder config) {
    this.config = config;
    this.group = new MultiThreadIoEventLoopGroup(config.ioThreads, NioIoHandler.newFactory());
    Set<String> supported = config.pipelining ? Set.of(Hellos.PIPELINING) : Set.of();
    try {
      this.server =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_BACKLOG, config.backlog)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      connections.add(ch);
                      ch.pipeline()
                          .addLast("spop-decoder", new SpopFrameDecoder(config.maxFrameSize))
                          .addLast("spop-encoder", new SpopFrameEncoder(config.maxFrameSize))
                          .addLast(
                              "agent",
                              new AgentConnection(config.handler, config.maxFrameSize, supported));
                    }
                  })
              .bind(config.address)
              .syncUninterruptibly()
              .channel();
    } catch (RuntimeException e) {
      // Nothing runs on the group yet: no need to wait for it to end.
      Future<?> unused = group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IllegalStateException("agent cannot listen on " + config.address + ": " + e, e);
    }
  }

  public static Builder builder(AgentHandler handler) {
    return new Builder(handler);
  }

  /** The bound address (the real port when the builder asked for port 0). */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) server.localAddress();
  }

  /** Blocks until the server is closed. */
  public void awaitClose() throws InterruptedException {
    server.closeFuture().sync();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    server.close().syncUninterruptibly();
    List<Future<Void>> drains = new ArrayList<>();
    for (Channel ch : connections) {
      AgentConnection connection = ch.pipeline().get(AgentConnection.class);
      if (connection != null) {
        drains.add(drainOn(ch, connection));
      }
    }
    long deadline = System.nanoTime() + config.grace.toNanos();
    for (Future<Void> drain : drains) {
      drain.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Starts {@code connection}'s drain on its event loop; returns the drain's future. */
  @SuppressWarnings("FutureReturnValueIgnored") // submit nests the drain's future: unwrapped here
  private static Future<Void> drainOn(Channel ch, AgentConnection connection) {
    return ch.eventLoop().submit(connection::drain).syncUninterruptibly().getNow();
  }

  /** Settings; defaults suit HAProxy's. */
  public static final class Builder {
    private final AgentHandler handler;

    @SuppressWarnings("AddressSelection") // the documented default is IPv4 loopback, not ::1
    private InetSocketAddress address = new InetSocketAddress("127.0.0.1", 12345);

    private int maxFrameSize = 16380;
    private boolean pipelining = true;
    private int ioThreads = 1;
    private int backlog = 1024;
    private Duration grace = Duration.ofSeconds(5);

    private Builder(AgentHandler handler) {
      this.handler = handler;
    }

    /** Where to listen (default 127.0.0.1:12345; port 0 picks a free one). */
    public Builder listen(InetSocketAddress listen) {
      this.address = listen;
      return this;
    }

    /** Largest frame accepted and offered, 256.. (default 16380, HAProxy's). */
    public Builder maxFrameSize(int bytes) {
      if (bytes < Hellos.MIN_FRAME_SIZE) {
        throw new IllegalArgumentException(
            "maxFrameSize " + bytes + " (expected: at least " + Hellos.MIN_FRAME_SIZE + ")");
      }
      this.maxFrameSize = bytes;
      return this;
    }

    /** Announce pipelining (default true): several NOTIFYs in flight per connection. */
    public Builder pipelining(boolean enabled) {
      this.pipelining = enabled;
      return this;
    }

    /** I/O threads (default 1). */
    public Builder ioThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("ioThreads " + threads + " (expected: at least 1)");
      }
      this.ioThreads = threads;
      return this;
    }

    /** Listen backlog (default 1024; spoa-example's 10 turns bursts into SYN retries). */
    public Builder backlog(int connections) {
      this.backlog = connections;
      return this;
    }

    /** How long {@link AgentServer#close()} lets NOTIFYs in progress finish (default 5s). */
    public Builder grace(Duration period) {
      this.grace = period;
      return this;
    }

    /** Binds and starts serving. */
    public AgentServer start() {
      return new AgentServer(this);
    }
  }
}
