package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.tunnel.Tunnel;
import dev.sluice.sidecar.upstream.StreamResetException;
import dev.sluice.sidecar.upstream.UpstreamExchange;
import dev.sluice.sidecar.upstream.UpstreamLease;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tunnel on an HTTP/2 client stream (an accepted extended CONNECT, RFC 8441): the client's DATA
 * go to the upstream (an HTTP/1.1 connection after its 101, or an HTTP/2 stream) and the upstream's
 * bytes come back as DATA, as they are, one object at a time while the other side takes more: the
 * client's window is given back only for bytes the upstream took, and the upstream is read only as
 * fast as the client's window drains. The client's END_STREAM ends the upstream's direction (an
 * HTTP/1.1 connection is half-closed); the upstream's end (its END_STREAM, or its connection's
 * close) is END_STREAM to the client.
 *
 * <p>It ends once, on the first of: both directions ended, either side reset, closed or failed, or
 * no byte either way for the idle timeout; {@code onEnded} is told how ({@link Tunnel.End}: the
 * side whose end came first). What the client is told: nothing when its stream closed itself; after
 * the upstream's graceful end, the stream ends (reset NO_ERROR once the last DATA left, if the
 * client is still sending); after an upstream reset or failure, RST_STREAM (CANCEL for the
 * upstream's CANCEL and the idle timeout, INTERNAL_ERROR otherwise). The upstream is given back not
 * reusable: a reset stream or a closed connection. Event-loop confined.
 */
final class StreamTunnel implements UpstreamExchange {
  private static final Logger log = LoggerFactory.getLogger(StreamTunnel.class);

  private final DownstreamSide client;
  private final UpstreamLease upstream;
  private final long idleNanos;
  private final Consumer<Tunnel.End> onEnded;

  /** The client's END_STREAM went to the upstream. */
  private boolean clientEnded;

  /** The upstream's end went to the client as END_STREAM. */
  private boolean upstreamEnded;

  /** Which side ended its direction first (the {@code how} of a graceful end). */
  private Tunnel.@Nullable End firstEnd;

  /** Reading the client waits for the upstream to take more. */
  private boolean clientWaits;

  /** Reading the upstream waits for the client to take more. */
  private boolean upstreamWaits;

  private long lastByte = System.nanoTime();
  private @Nullable ScheduledFuture<?> idleCheck;
  private @Nullable ChannelFuture lastToClient;
  private Tunnel.@Nullable End ended;

  private StreamTunnel(
      DownstreamSide client, UpstreamLease upstream, Duration idle, Consumer<Tunnel.End> onEnded) {
    this.client = client;
    this.upstream = upstream;
    this.idleNanos = idle.toNanos();
    this.onEnded = onEnded;
  }

  /** A tunnel between {@code client} and {@code upstream}; nothing moves until {@link #start}. */
  static StreamTunnel open(
      DownstreamSide client, UpstreamLease upstream, Duration idle, Consumer<Tunnel.End> onEnded) {
    return new StreamTunnel(client, upstream, idle, onEnded);
  }

  /** Binds the upstream to the tunnel and reads both sides. */
  void start() {
    upstream.bind(this);
    scheduleIdleCheck(idleNanos);
    client.readRequest();
    if (ended == null) {
      upstream.read();
    }
  }

  /** A DATA payload (or the END_STREAM) of the client; ownership passes. */
  void fromClient(HttpContent content) {
    if (ended != null || clientEnded) {
      content.release();
      return;
    }
    lastByte = System.nanoTime();
    boolean last = content instanceof LastHttpContent;
    upstream
        .write(content)
        .addListener(
            (ChannelFuture f) -> {
              if (!f.isSuccess()) {
                onUpstreamClosed(f.cause());
              }
            });
    if (last) {
      clientEnded = true;
      ended(Tunnel.End.CLIENT_CLOSED);
    } else if (upstream.isWritable()) {
      client.readRequest();
    } else {
      clientWaits = true;
    }
  }

  /** The client's stream takes more again. */
  void clientWritable() {
    if (upstreamWaits && ended == null && client.isWritable()) {
      upstreamWaits = false;
      upstream.read();
    }
  }

  /**
   * The client's stream closed: both directions ended (a graceful end), or the client reset it, or
   * the sidecar did (its limits), or the connection went away. The upstream goes with it.
   */
  void clientClosed() {
    end(clientEnded && upstreamEnded ? gracefulEnd() : Tunnel.End.CLIENT_CLOSED, null);
  }

  @Override
  public void onResponseObject(HttpObject msg) {
    if (ended != null || upstreamEnded || !(msg instanceof HttpContent content)) {
      ReferenceCountUtil.release(msg); // after the end, or a head (HTTP/2 trailers are content)
      return;
    }
    lastByte = System.nanoTime();
    boolean last = content instanceof LastHttpContent;
    ChannelFuture written = client.write(content);
    lastToClient = written;
    written.addListener(
        f -> {
          if (!f.isSuccess()) {
            end(Tunnel.End.CLIENT_CLOSED, null); // the stream is gone; it says so itself too
          }
        });
    if (last) {
      upstreamEnded = true;
      ended(Tunnel.End.UPSTREAM_CLOSED);
      upstream.read(); // to learn of the upstream's close
    } else if (client.isWritable()) {
      upstream.read();
    } else {
      upstreamWaits = true;
    }
  }

  @Override
  public void onUpstreamWritabilityChanged(boolean writable) {
    if (writable && clientWaits && ended == null) {
      clientWaits = false;
      client.readRequest();
    }
  }

  /** What the upstream holds unread for the client counts as the client stream's. */
  @Override
  public void onResponseBytesHeld(int delta) {
    client.responseBytesHeld(delta);
  }

  /**
   * The upstream closed: after its end went to the client, gracefully (the client's stream ends,
   * reset NO_ERROR if it still sends); before, a reset or failure passed on as RST_STREAM.
   */
  @Override
  public void onUpstreamClosed(Throwable cause) {
    if (ended != null) {
      return;
    }
    if (upstreamEnded) {
      boolean clientDone = clientEnded;
      ChannelFuture last = lastToClient;
      Runnable finish = () -> client.exchangeFinished(clientDone, true);
      end(
          gracefulEnd(),
          () -> {
            if (last == null || last.isDone()) {
              finish.run();
            } else {
              last.addListener(f -> finish.run());
            }
          });
      return;
    }
    log.debug("tunnel upstream {} closed: {}", upstream, cause.toString());
    boolean cancelled = cause instanceof StreamResetException reset && reset.cancelled();
    end(
        cancelled ? Tunnel.End.UPSTREAM_CLOSED : Tunnel.End.ERROR,
        cancelled ? client::cancel : client::abort);
  }

  private void ended(Tunnel.End side) {
    if (firstEnd == null) {
      firstEnd = side;
    }
  }

  private Tunnel.End gracefulEnd() {
    return firstEnd != null ? firstEnd : Tunnel.End.UPSTREAM_CLOSED;
  }

  private void scheduleIdleCheck(long delayNanos) {
    idleCheck = client.eventLoop().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
  }

  /** No byte either way for the idle timeout: both sides are cut (the client with CANCEL). */
  private void checkIdle() {
    idleCheck = null;
    if (ended != null) {
      return;
    }
    long quiet = System.nanoTime() - lastByte;
    if (quiet >= idleNanos) {
      end(Tunnel.End.IDLE, client::cancel);
    } else {
      scheduleIdleCheck(idleNanos - quiet);
    }
  }

  /**
   * The one way the tunnel ends: the idle check cancelled, the client told ({@code tellClient}, or
   * nothing), the upstream given back not reusable, then {@code onEnded}.
   */
  private void end(Tunnel.End how, @Nullable Runnable tellClient) {
    if (ended != null) {
      return;
    }
    ended = how;
    ScheduledFuture<?> check = idleCheck;
    if (check != null) {
      check.cancel(false);
    }
    log.debug("tunnel {} <-> {} ended: {}", client, upstream, how.label);
    if (tellClient != null) {
      tellClient.run();
    }
    upstream.release(false);
    onEnded.accept(how);
  }
}
