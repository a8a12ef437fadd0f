package dev.sluice.sidecar.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two connections joined after a protocol switch ({@code 101 Switching Protocols}, e.g. WebSocket):
 * bytes read on one are written to the other as they are (the buffer read is the buffer written: no
 * copy, no parsing), one read at a time while the other side takes them, so each direction is paced
 * by its reader. It ends once, on the first of: either side closing (the upstream's pool closes its
 * tunnels when a replaced generation's drain ends), an I/O error, or no byte either way for the
 * idle timeout; then both connections close after what was already written, and {@code onEnded} is
 * told how.
 *
 * <p>Both channels read only on demand (auto-read off) and share one event loop: the caller hands
 * them over with their HTTP handlers removed, anything already read still queued in front of the
 * tunnel's handler, in order.
 */
public final class Tunnel {
  private static final Logger log = LoggerFactory.getLogger(Tunnel.class);

  /** How a tunnel ended (the {@code how} of its metric). */
  public enum End {
    CLIENT_CLOSED("client"),
    UPSTREAM_CLOSED("upstream"),
    IDLE("idle"),
    ERROR("error");

    public final String label;

    End(String label) {
      this.label = label;
    }
  }

  private final Half client;
  private final Half upstream;
  private final Consumer<End> onEnded;
  private @Nullable End ended;

  private Tunnel(Channel client, Channel upstream, Consumer<End> onEnded) {
    this.client = new Half(client, End.CLIENT_CLOSED);
    this.upstream = new Half(upstream, End.UPSTREAM_CLOSED);
    this.client.peer = this.upstream;
    this.upstream.peer = this.client;
    this.onEnded = onEnded;
  }

  /**
   * Joins {@code client} and {@code upstream} (on one event loop, called on it) and starts reading
   * both; {@code idle}: the longest time without a byte in either direction.
   */
  public static void open(Channel client, Channel upstream, Duration idle, Consumer<End> onEnded) {
    Tunnel tunnel = new Tunnel(client, upstream, onEnded);
    client
        .pipeline()
        .addLast("tunnel-idle", new IdleStateHandler(0, 0, idle.toNanos(), TimeUnit.NANOSECONDS))
        .addLast("tunnel", tunnel.client);
    upstream.pipeline().addLast("tunnel", tunnel.upstream);
    if (!client.isActive()) {
      tunnel.end(End.CLIENT_CLOSED);
    } else if (!upstream.isActive()) {
      tunnel.end(End.UPSTREAM_CLOSED);
    } else {
      client.read();
      upstream.read();
    }
  }

  private void end(End how) {
    if (ended != null) {
      return;
    }
    ended = how;
    log.debug("tunnel {} <-> {} ended: {}", client.channel, upstream.channel, how.label);
    client.closeAfterWrites();
    upstream.closeAfterWrites();
    onEnded.accept(how);
  }

  /** One side: what it reads goes to its peer; it reads again once the peer takes more. */
  private final class Half extends ChannelDuplexHandler {
    private final Channel channel;
    private final End closedHow;
    private @Nullable Half peer;

    /** A read waits for the peer to become writable again. */
    private boolean waiting;

    Half(Channel channel, End closedHow) {
      this.channel = channel;
      this.closedHow = closedHow;
    }

    private Half peer() {
      Half other = peer;
      if (other == null) {
        throw new IllegalStateException("a tunnel half without its peer");
      }
      return other;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (ended != null || !(msg instanceof ByteBuf bytes)) {
        ReferenceCountUtil.release(msg); // after the end, or an HTTP object left over: not bytes
        if (ended == null) {
          ctx.read();
        }
        return;
      }
      Channel to = peer().channel;
      to.writeAndFlush(bytes)
          .addListener(
              (ChannelFuture f) -> {
                if (!f.isSuccess()) {
                  end(End.ERROR);
                }
              });
      if (to.isWritable()) {
        ctx.read();
      } else {
        waiting = true;
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      Half other = peer();
      if (channel.isWritable() && other.waiting && ended == null) {
        other.waiting = false;
        other.channel.read();
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        end(End.IDLE);
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      end(closedHow);
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("tunnel {}: {}", channel, cause.toString());
      end(End.ERROR);
    }

    /** Closes once everything written so far is on the wire (or at once when it cannot be). */
    void closeAfterWrites() {
      if (!channel.isActive()) {
        ChannelFuture unused = channel.close();
        return;
      }
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
