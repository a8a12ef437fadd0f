package dev.sluice.sidecar.downstream;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.config.ClientValidation;
import dev.sluice.sidecar.config.DownstreamListener;
import dev.sluice.sidecar.config.HostPort;
import dev.sluice.sidecar.flow.CoalescedFlushes;
import dev.sluice.sidecar.transport.Io;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bound listener. The socket stays open across reloads (rules come from the current generation
 * per request); every accepted connection is tracked for shutdown.
 */
public final class DownstreamServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DownstreamServer.class);

  /** Read by each new connection; a reload that keeps the address swaps it in place. */
  private volatile Settings settings;

  private record Settings(
      ListenerContext listener, ListenerTlsContexts.@Nullable ListenerTls tls) {}

  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  /** Connections counted against the listener's maxConnections; kept across reloads. */
  private final AtomicInteger open = new AtomicInteger();

  /** The listener refused a connection since it last had room (logged once per spell). */
  private final AtomicBoolean full = new AtomicBoolean();

  private @Nullable Channel serverChannel;

  public DownstreamServer(ListenerContext listener, String path) {
    this.settings = new Settings(listener, tls(listener, path));
  }

  private static ListenerTlsContexts.@Nullable ListenerTls tls(
      ListenerContext listener, String path) {
    DownstreamListener config = listener.config();
    return config.protocol() == DownstreamListener.Protocol.HTTPS
        ? ListenerTlsContexts.build(path, requireNonNull(config.tls())) // validated: HTTPS has tls
        : null;
  }

  public ListenerContext listener() {
    return settings.listener();
  }

  /**
   * Takes the settings of {@code prepared} (built, never bound) for a listener whose address stays
   * the same on reload: new connections use them, open ones keep theirs. The socket is never
   * closed, so no connection is refused meanwhile.
   */
  public void update(DownstreamServer prepared) {
    this.settings = prepared.settings;
  }

  /** Binds; a failure names the listener and address. */
  public DownstreamServer bind(EventLoopGroup boss, EventLoopGroup workers, Io io, String path) {
    DownstreamListener config = settings.listener().config();
    HostPort address = HostPort.parseBindable(config.address());
    try {
      serverChannel =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(io.transport().serverChannel())
              .option(ChannelOption.SO_BACKLOG, 1024)
              .option(ChannelOption.SO_REUSEADDR, true)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childOption(ChannelOption.ALLOCATOR, io.allocator())
              .childOption(
                  ChannelOption.RECVBUF_ALLOCATOR,
                  io.receive() != null ? io.receive() : new AdaptiveRecvByteBufAllocator())
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      Settings current = settings;
                      ListenerContext listener = current.listener();
                      if (!admit(ch, listener)) {
                        return;
                      }
                      connections.add(ch);
                      CoalescedFlushes.install(ch.pipeline());
                      ConnectionTimeouts timeouts = new ConnectionTimeouts(listener);
                      ch.pipeline().addLast("timeouts", timeouts);
                      ListenerTlsContexts.ListenerTls tls = current.tls();
                      if (tls == null) {
                        ch.pipeline().addLast("detect", new ProtocolDetector(listener, timeouts));
                        return;
                      }
                      ch.pipeline().addLast("tls", tls.context().newHandler(ch.alloc()));
                      ClientCertificateTrust trust = tls.clientTrust();
                      ClientValidation validation = tls.clientValidation();
                      if (trust != null && validation != null) {
                        ch.pipeline()
                            .addLast(
                                "client-certificates",
                                new ClientCertificates(listener, trust, validation));
                      }
                      ch.pipeline().addLast("alpn", new Alpn(listener, timeouts));
                    }
                  })
              .bind(new InetSocketAddress(address.host(), address.port()))
              .syncUninterruptibly()
              .channel();
    } catch (Exception e) {
      throw new IllegalStateException(
          path + ".address: cannot listen on " + config.address() + " (" + e.getMessage() + ")", e);
    }
    return this;
  }

  /**
   * Counts {@code connection} in, or closes it at once (counted) when the listener already has its
   * {@code maxConnections} open; the open ones are not touched. A refusal is logged once per spell
   * of being full, not once per connection.
   */
  private boolean admit(Channel connection, ListenerContext listener) {
    int max = listener.config().limits().maxConnections();
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      listener.metrics().connectionRefused(listener.config().name());
      if (!full.getAndSet(true)) {
        log.warn(
            "listener {} has {} connections open (its maxConnections): new ones are closed at once"
                + " until some close",
            listener.config().name(),
            max);
      }
      ChannelFuture unused = connection.close();
      return false;
    }
    connection
        .closeFuture()
        .addListener(
            f -> {
              if (open.decrementAndGet() < max && full.getAndSet(false)) {
                log.info("listener {} accepts connections again", listener.config().name());
              }
            });
    return true;
  }

  /**
   * True when {@code address} (a config value) is this socket: the same text, or the same host with
   * the port this socket got (a config that asked for port 0, then named the real one).
   */
  public boolean listensOn(String address) {
    String configured = settings.listener().config().address();
    if (configured.equals(address)) {
      return true;
    }
    HostPort wanted = HostPort.parseBindable(address);
    HostPort current = HostPort.parseBindable(configured);
    return wanted.host().equals(current.host()) && wanted.port() == localAddress().getPort();
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) requireNonNull(serverChannel, "not bound").localAddress();
  }

  public ChannelGroup connections() {
    return connections;
  }

  /** Stops accepting; open connections are the caller's to drain. */
  public void stopAccepting() {
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
  }

  @Override
  public void close() {
    stopAccepting();
    connections.close().awaitUninterruptibly();
  }

  /**
   * Stops accepting and closes every connection without waiting: safe on an event loop, where
   * waiting for a connection served by that same loop (a TLS close flushes close_notify first)
   * would wait forever.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // not waiting for the closes is the point
  public void closeWithoutWaiting() {
    if (serverChannel != null) {
      serverChannel.close();
    }
    connections.close();
  }

  private static final class Alpn extends ApplicationProtocolNegotiationHandler {
    private final ListenerContext listener;
    private final ConnectionTimeouts timeouts;

    Alpn(ListenerContext listener, ConnectionTimeouts timeouts) {
      super(ApplicationProtocolNames.HTTP_1_1);
      this.listener = listener;
      this.timeouts = timeouts;
    }

    /**
     * A failed handshake is a client that went away or cannot talk to this listener: closed, logged
     * at DEBUG (a refused client certificate is logged by {@link ClientCertificates}).
     */
    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      log.debug(
          "listener {}: TLS handshake failed: {}", listener.config().name(), cause.toString());
      ChannelFuture unused = ctx.close();
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        DownstreamPipelines.http2(ctx.pipeline(), listener, timeouts);
      } else {
        DownstreamPipelines.http1(ctx.pipeline(), listener, timeouts);
      }
    }
  }
}
