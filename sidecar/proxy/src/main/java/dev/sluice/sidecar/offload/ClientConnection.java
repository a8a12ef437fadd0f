package dev.sluice.sidecar.offload;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.config.HostPort;
import dev.sluice.spop.Frame;
import dev.sluice.spop.Hellos;
import dev.sluice.spop.SpopException;
import dev.sluice.spop.SpopFrameDecoder;
import dev.sluice.spop.SpopFrameEncoder;
import dev.sluice.spop.SpopStatus;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SPOP connection to an agent, client side: HAPROXY-HELLO first, AGENT-HELLO checked the way
 * HAProxy checks it, then NOTIFYs matched to their ACKs by stream-id (odd, per connection, like
 * HAProxy 3.x) and frame-id 1. ACKs may come in any order; an ACK matching nothing (late, or
 * unknown ids) is dropped without touching anything else. When the connection ends, every event
 * still on it fails at once. Confined to the agent client's event loop.
 */
final class ClientConnection extends SimpleChannelInboundHandler<Frame> {
  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

  /** What the connection does for its owner. */
  interface Owner {
    void ready(ClientConnection connection);

    void capacity(ClientConnection connection);

    /** The handshake failed or the connection ended; {@code handshakeFailed} before READY. */
    void closed(ClientConnection connection, boolean handshakeFailed, int status, String why);
  }

  enum State {
    HELLO_SENT,
    READY,
    CLOSING
  }

  private final AgentSettings settings;
  private final HostPort endpoint;
  private final Owner owner;
  private final Map<Long, PendingEvent> inFlight = new HashMap<>();
  private @Nullable ChannelHandlerContext ctx;
  private State state = State.HELLO_SENT;
  private boolean pipelining;
  private int maxFrameSize;
  private long nextStreamId = 1;
  private @Nullable ScheduledFuture<?> helloTimer;
  private int closeStatus = SpopStatus.IO_ERROR;
  private @Nullable String closeReason;
  private boolean readyOnce;

  ClientConnection(AgentSettings settings, HostPort endpoint, Owner owner) {
    this.settings = settings;
    this.endpoint = endpoint;
    this.owner = owner;
    this.maxFrameSize = settings.maxFrameSize();
  }

  HostPort endpoint() {
    return endpoint;
  }

  @Nullable Channel channel() {
    return ctx == null ? null : ctx.channel();
  }

  boolean ready() {
    return state == State.READY;
  }

  int inFlight() {
    return inFlight.size();
  }

  /** True when another NOTIFY may go out now. */
  boolean hasCapacity() {
    return state == State.READY
        && inFlight.size() < (pipelining ? settings.maxInFlightPerConnection() : 1);
  }

  boolean pipelining() {
    return pipelining;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    helloTimer =
        ctx.executor()
            .schedule(
                () ->
                    abandon(
                        SpopStatus.TIMEOUT,
                        "no AGENT-HELLO within the hello timeout "
                            + settings.helloTimeout().toMillis()
                            + "ms"),
                settings.helloTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
    // A HELLO that cannot be written closes the connection; the hello timer covers the rest.
    ChannelFuture unused =
        ctx.writeAndFlush(
            Hellos.client(settings.maxFrameSize(), settings.pipelining(), settings.engineId()));
    ctx.fireChannelActive();
  }

  /** Sends {@code event}'s NOTIFY; the caller checked {@link #hasCapacity()}. */
  void send(PendingEvent event) {
    long streamId = nextStreamId;
    nextStreamId += 2;
    event.connection = this;
    event.streamId = streamId;
    inFlight.put(streamId, event);
    context()
        .writeAndFlush(new Frame.Notify(streamId, 1, event.messages))
        .addListener(
            f -> {
              if (f.isSuccess() || inFlight.remove(streamId) == null) {
                return;
              }
              Throwable cause = f.cause();
              if (cause instanceof EncoderException
                  && cause.getCause() instanceof SpopException e
                  && e.status() == SpopStatus.FRAME_TOO_BIG) {
                event.result.trySuccess(
                    OffloadResult.failed(
                        SpopStatus.FRAME_TOO_BIG,
                        "NOTIFY larger than the max-frame-size " + maxFrameSize,
                        event.millis()));
                owner.capacity(this);
              } else {
                event.result.trySuccess(
                    OffloadResult.ioError("NOTIFY not sent: " + cause, event.millis()));
              }
            });
  }

  /**
   * The event's deadline passed: forget it, so its late ACK is dropped. A connection without
   * pipelining cannot take another NOTIFY while the agent may still work on this one: close it.
   */
  void forget(PendingEvent event) {
    if (inFlight.remove(event.streamId) != event) {
      return;
    }
    if (!pipelining) {
      abandon(SpopStatus.TIMEOUT, "processing timeout on a connection without pipelining");
    } else {
      owner.capacity(this);
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
    if (frame instanceof Frame.AgentHello hello && state == State.HELLO_SENT) {
      onHello(hello);
    } else if (frame instanceof Frame.Ack ack && state == State.READY) {
      onAck(ack);
    } else if (frame instanceof Frame.AgentDisconnect bye) {
      onAgentDisconnect(bye);
    } else if (frame instanceof Frame.Unknown unknown) {
      log.debug("{}: skipping frame of unknown type {}", endpoint, unknown.type());
    } else if (state != State.CLOSING) {
      disconnect(
          SpopStatus.INVALID_FRAME,
          "unexpected " + frame.getClass().getSimpleName() + " while " + state);
    }
  }

  private void onHello(Frame.AgentHello hello) {
    requireNonNull(helloTimer).cancel(false); // armed when the channel became active
    var items = hello.items();
    var version = items.get("version");
    if (version == null) {
      disconnect(SpopStatus.NO_VERSION, "AGENT-HELLO without version");
      return;
    }
    if (!Hellos.isVersion2(version.asText())) {
      disconnect(
          SpopStatus.UNSUPPORTED_VERSION,
          "AGENT-HELLO version \"" + version.asText() + "\" (expected: 2.0)");
      return;
    }
    Long size = Hellos.maxFrameSize(items);
    if (size != null && (size < Hellos.MIN_FRAME_SIZE || size > settings.maxFrameSize())) {
      disconnect(
          SpopStatus.BAD_MAX_FRAME_SIZE,
          "AGENT-HELLO max-frame-size "
              + size
              + " (expected: "
              + Hellos.MIN_FRAME_SIZE
              + ".."
              + settings.maxFrameSize()
              + ")");
      return;
    }
    maxFrameSize = size == null ? settings.maxFrameSize() : (int) (long) size;
    context().pipeline().get(SpopFrameDecoder.class).maxFrameSize(maxFrameSize);
    context().pipeline().get(SpopFrameEncoder.class).maxFrameSize(maxFrameSize);
    pipelining = settings.pipelining() && Hellos.capabilities(items).contains(Hellos.PIPELINING);
    state = State.READY;
    readyOnce = true;
    log.debug("{}: ready (max-frame-size {}, pipelining {})", endpoint, maxFrameSize, pipelining);
    owner.ready(this);
  }

  private void onAck(Frame.Ack ack) {
    PendingEvent event = ack.frameId() == 1 ? inFlight.remove(ack.streamId()) : null;
    if (event == null) {
      log.debug(
          "{}: dropping ACK {}/{} that matches no event in flight (late or unknown)",
          endpoint,
          ack.streamId(),
          ack.frameId());
      return;
    }
    if (ack.stoppedAt() != null) {
      log.debug("{}: ACK {} partly understood: {}", endpoint, ack.streamId(), ack.stoppedAt());
    }
    event.result.trySuccess(OffloadResult.answered(ack.actions(), event.millis()));
    owner.capacity(this);
  }

  private void onAgentDisconnect(Frame.AgentDisconnect bye) {
    if (state == State.CLOSING) {
      ChannelFuture unused = context().close();
      return;
    }
    String why =
        "agent disconnected with status "
            + bye.status()
            + (bye.message().isEmpty() ? "" : " (" + bye.message() + ")");
    closeStatus = bye.status();
    closeReason = why;
    state = State.CLOSING;
    failInFlight(bye.status(), why);
    context()
        .writeAndFlush(new Frame.HaproxyDisconnect(SpopStatus.NORMAL, "normal"))
        .addListener(ChannelFutureListener.CLOSE);
  }

  /** A protocol problem on our side of the check: say so with HAPROXY-DISCONNECT and close. */
  private void disconnect(int status, String why) {
    if (state == State.CLOSING) {
      return;
    }
    log.info("{}: {} (status {}); disconnecting", endpoint, why, status);
    closeStatus = status;
    closeReason = why;
    state = State.CLOSING;
    failInFlight(status, why);
    String message = why.length() > 255 ? why.substring(0, 255) : why;
    context()
        .writeAndFlush(new Frame.HaproxyDisconnect(status, message))
        .addListener(ChannelFutureListener.CLOSE);
  }

  /** Closes without a goodbye frame (timeouts, shutdown of a broken connection). */
  void abandon(int status, String why) {
    if (ctx == null) {
      return;
    }
    if (state != State.CLOSING) {
      closeStatus = status;
      closeReason = why;
      state = State.CLOSING;
      failInFlight(status, why);
    }
    ChannelFuture unused = ctx.close();
  }

  /** Graceful end: HAPROXY-DISCONNECT status 0, then close when the agent answers or hangs up. */
  @SuppressWarnings("FutureReturnValueIgnored") // the timer's close ends it anyway
  void shutdown() {
    ChannelHandlerContext active = ctx;
    if (active == null || state == State.CLOSING) {
      return;
    }
    state = State.CLOSING;
    closeReason = "closed by the sidecar";
    failInFlight(SpopStatus.IO_ERROR, "the agent client closed");
    active.writeAndFlush(new Frame.HaproxyDisconnect(SpopStatus.NORMAL, "normal"));
    active.executor().schedule(() -> active.close(), 1, TimeUnit.SECONDS);
  }

  /** The context once the channel is active (every frame and state after HELLO_SENT has it). */
  private ChannelHandlerContext context() {
    return requireNonNull(ctx, "not active yet");
  }

  private void failInFlight(int status, String why) {
    if (inFlight.isEmpty()) {
      return;
    }
    List<PendingEvent> failed = new ArrayList<>(inFlight.values());
    inFlight.clear();
    for (PendingEvent event : failed) {
      event.result.trySuccess(OffloadResult.failed(status, endpoint + ": " + why, event.millis()));
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && inFlight.isEmpty() && state == State.READY) {
      log.debug("{}: idle for {}, closing", endpoint, settings.idleTimeout());
      shutdown();
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable root =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (root instanceof SpopException e) {
      disconnect(e.status(), requireNonNull(e.getMessage())); // SpopException always has one
    } else {
      abandon(SpopStatus.IO_ERROR, root.toString());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (helloTimer != null) {
      helloTimer.cancel(false);
    }
    boolean handshakeFailed = !readyOnce;
    String why = closeReason != null ? closeReason : "the agent closed the connection";
    failInFlight(SpopStatus.IO_ERROR, why);
    state = State.CLOSING;
    owner.closed(this, handshakeFailed, closeStatus, why);
    ctx.fireChannelInactive();
  }
}
