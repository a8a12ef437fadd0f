package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.config.Durations;
import dev.sluice.sidecar.config.ListenerLimits;
import dev.sluice.sidecar.timer.Timeout;
import dev.sluice.sidecar.transport.TcpProgress;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The silence limits of one client connection (its listener's {@link ListenerLimits}), from the
 * accept on, as one state machine:
 *
 * <ul>
 *   <li>{@link State#READING_HEAD}: from the accept (the first request) or from the first byte of a
 *       later one until its head is complete (HTTP/1.1), or until the client's preface and SETTINGS
 *       arrived (HTTP/2); at most {@code headerReadTimeout}.
 *   <li>{@link State#BUSY}: a request (HTTP/1.1) or a stream (HTTP/2) is in flight; no limit of the
 *       connection's runs, the rule's timeouts do.
 *   <li>{@link State#IDLE}: nothing in flight; at most {@code idleTimeout}.
 *   <li>{@link State#ENDED}: a limit ran out, or the connection closed; nothing more happens.
 * </ul>
 *
 * Whatever the state, response bytes the socket cannot take for {@code stalledWriteTimeout} with
 * none leaving close the connection ({@link WriteStall}); bytes leave when the proxy hands the
 * kernel more, or (epoll) when the kernel sends more as the client's window lets it ({@link
 * TcpProgress}), so a client that reads slowly is never taken for one that stopped. One timer
 * serves the header-read and the idle limit (they never run together), another the stalled write.
 *
 * <p>The protocol's handler, once the protocol is known, says how the connection ends when a limit
 * runs out ({@link Ends}); before that (cleartext detection, TLS handshake) it just closes. Sits
 * next to the socket and overrides only the events it needs, so Netty skips it for reads and
 * writes. Event-loop confined.
 */
final class ConnectionTimeouts extends ChannelInboundHandlerAdapter implements WriteStall.Output {
  private static final Logger log = LoggerFactory.getLogger(ConnectionTimeouts.class);

  enum State {
    READING_HEAD,
    BUSY,
    IDLE,
    ENDED
  }

  /** How the protocol on a connection ends it when a limit runs out. */
  interface Ends {
    /**
     * The head (HTTP/1.1: 408) or the preface (HTTP/2: GOAWAY) did not arrive {@code limit} (e.g.
     * "within 10s (headerReadTimeout of listener http)"); close.
     */
    void headerReadTimedOut(String limit);

    /** Nothing was in flight for the idle timeout; close (HTTP/2: after GOAWAY NO_ERROR). */
    void idleTimedOut();
  }

  private final ListenerContext listener;
  private final ListenerLimits limits;
  private final Timeout silence = new Timeout(this::silenceRanOut);

  @SuppressWarnings("NullAway.Init") // set in handlerAdded, Netty's first call
  private ChannelHandlerContext ctx;

  @SuppressWarnings("NullAway.Init") // set in handlerAdded, Netty's first call
  private WriteStall stall;

  private @Nullable Ends ends;
  private State state = State.READING_HEAD;

  /** Bytes of the next HTTP/1.1 head arrived while a request was in flight (pipelining). */
  private boolean nextHeadStarted;

  /** What the socket still had to write when the stall watch last looked, and when that was. */
  private long pendingSeen;

  private long lookedAt;

  ConnectionTimeouts(ListenerContext listener) {
    this.listener = listener;
    this.limits = listener.config().limits();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.stall =
        new WriteStall(this, limits.stalledWriteTimeout().toNanos(), ctx.executor(), this::stalled);
    arm(limits.headerReadTimeout().toNanos()); // the first request's head counts from the accept
  }

  /** The protocol is known: {@code ends} says how to end the connection from now on. */
  void protocol(Ends protocolEnds) {
    this.ends = protocolEnds;
  }

  /** HTTP/1.1: the first byte of a request, after the previous request's last byte. */
  void headStarted() {
    if (state == State.IDLE) {
      state = State.READING_HEAD;
      arm(limits.headerReadTimeout().toNanos());
    } else if (state == State.BUSY) {
      nextHeadStarted = true; // its time counts once the request in flight ended
    }
  }

  /** A request head is complete (HTTP/1.1), or the client's preface and SETTINGS (HTTP/2). */
  void headReceived() {
    if (state == State.READING_HEAD) {
      state = State.BUSY;
      silence.cancel();
    }
  }

  /** A request (HTTP/1.1) or a stream (HTTP/2) is in flight. */
  void busy() {
    if (state != State.ENDED) {
      state = State.BUSY;
      silence.cancel();
    }
  }

  /**
   * Nothing is in flight any more: the idle timeout runs, or the header-read one when bytes of the
   * next head arrived meanwhile.
   */
  void idle() {
    if (state == State.ENDED) {
      return;
    }
    if (nextHeadStarted) {
      nextHeadStarted = false;
      state = State.READING_HEAD;
      arm(limits.headerReadTimeout().toNanos());
    } else {
      state = State.IDLE;
      arm(limits.idleTimeout().toNanos());
    }
  }

  private void arm(long nanos) {
    silence.arm(ctx.executor(), nanos);
  }

  private void silenceRanOut() {
    State ranOut = state;
    if (ranOut != State.READING_HEAD && ranOut != State.IDLE) {
      return;
    }
    state = State.ENDED;
    String name = listener.config().name();
    if (ranOut == State.READING_HEAD) {
      listener.metrics().downstreamTimeout(name, "header_read");
      String limit =
          "within "
              + Durations.format(limits.headerReadTimeout())
              + " (headerReadTimeout of listener "
              + name
              + ")";
      log.debug("{}: no request head {}", ctx.channel(), limit);
      if (ends != null) {
        ends.headerReadTimedOut(limit);
      } else {
        close();
      }
    } else {
      listener.metrics().downstreamTimeout(name, "idle");
      log.debug("{}: idle for {}", ctx.channel(), Durations.format(limits.idleTimeout()));
      if (ends != null) {
        ends.idleTimedOut();
      } else {
        close();
      }
    }
  }

  // WriteStall.Output: the socket

  @Override
  public boolean waiting() {
    return ctx.channel().isActive() && !ctx.channel().isWritable();
  }

  /** The proxy handed the kernel more, or the kernel sent more as the client's window let it. */
  @Override
  public boolean moved() {
    Channel channel = ctx.channel();
    long now = System.nanoTime();
    long pending = channel.bytesBeforeWritable();
    boolean moved =
        pending < pendingSeen
            || TcpProgress.sentWithin(channel, TimeUnit.NANOSECONDS.toMillis(now - lookedAt));
    pendingSeen = pending;
    lookedAt = now;
    return moved;
  }

  /**
   * The socket took nothing for the stalled-write timeout: closed from here, beneath TLS, since
   * neither a close_notify nor a GOAWAY could get out.
   */
  private void stalled() {
    if (state == State.ENDED && !ctx.channel().isActive()) {
      return;
    }
    state = State.ENDED;
    silence.cancel();
    listener.metrics().downstreamTimeout(listener.config().name(), "stalled_write");
    log.debug(
        "{}: {} bytes unwritten, none taken for {}",
        ctx.channel(),
        ctx.channel().bytesBeforeWritable(),
        Durations.format(limits.stalledWriteTimeout()));
    close();
  }

  private void close() {
    ChannelFuture unused = ctx.close();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      stall.cancel();
    } else {
      stall.watch();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    end();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    end();
  }

  private void end() {
    state = State.ENDED;
    silence.cancel();
    stall.cancel();
  }
}
