package dev.sluice.agent;

import static java.util.Objects.requireNonNull;

import dev.sluice.spop.Action;
import dev.sluice.spop.Frame;
import dev.sluice.spop.SpopException;
import dev.sluice.spop.SpopFrameDecoder;
import dev.sluice.spop.SpopFrameEncoder;
import dev.sluice.spop.SpopStatus;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: HELLO, then NOTIFY after NOTIFY (concurrently when pipelining was
 * negotiated), each answered with an ACK on this connection echoing its ids; DISCONNECT either way.
 * Protocol errors end the connection with an AGENT-DISCONNECT naming the status.
 */
final class AgentConnection extends SimpleChannelInboundHandler<Frame> {
  private static final Logger log = LoggerFactory.getLogger(AgentConnection.class);

  private enum State {
    AWAITING_HELLO,
    PROCESSING,
    CLOSING
  }

  private final AgentHandler handler;
  private final int ownMaxFrameSize;
  private final Set<String> supported;
  private State state = State.AWAITING_HELLO;
  private @Nullable Negotiation negotiation;
  private int inFlight;
  private @Nullable Promise<Void> drained;
  private @Nullable ChannelHandlerContext context;

  AgentConnection(AgentHandler handler, int ownMaxFrameSize, Set<String> supported) {
    this.handler = handler;
    this.ownMaxFrameSize = ownMaxFrameSize;
    this.supported = supported;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.context = ctx;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
    if (state == State.CLOSING && !(frame instanceof Frame.HaproxyDisconnect)) {
      return;
    }
    if (frame instanceof Frame.HaproxyHello hello && state == State.AWAITING_HELLO) {
      onHello(ctx, hello);
    } else if (frame instanceof Frame.Notify notify && state == State.PROCESSING) {
      onNotify(ctx, notify);
    } else if (frame instanceof Frame.HaproxyDisconnect bye) {
      log.debug(
          "{}: client disconnects with status {} ({})", ctx.channel(), bye.status(), bye.message());
      state = State.CLOSING;
      ctx.writeAndFlush(new Frame.AgentDisconnect(SpopStatus.NORMAL, "normal"))
          .addListener(ChannelFutureListener.CLOSE);
    } else if (frame instanceof Frame.Unknown unknown) {
      log.debug("{}: skipping frame of unknown type {}", ctx.channel(), unknown.type());
    } else {
      disconnect(
          ctx,
          new SpopException(
              SpopStatus.INVALID_FRAME,
              "unexpected " + frame.getClass().getSimpleName() + " while " + state));
    }
  }

  private void onHello(ChannelHandlerContext ctx, Frame.HaproxyHello hello) {
    try {
      negotiation = Negotiation.of(hello, ownMaxFrameSize, supported);
    } catch (SpopException e) {
      disconnect(ctx, e);
      return;
    }
    ctx.pipeline().get(SpopFrameDecoder.class).maxFrameSize(negotiation.maxFrameSize());
    ctx.pipeline().get(SpopFrameEncoder.class).maxFrameSize(negotiation.maxFrameSize());
    var written = ctx.writeAndFlush(negotiation.reply());
    if (negotiation.healthCheck()) {
      state = State.CLOSING;
      written.addListener(ChannelFutureListener.CLOSE);
    } else {
      state = State.PROCESSING;
    }
  }

  private void onNotify(ChannelHandlerContext ctx, Frame.Notify notify) {
    inFlight++;
    CompletionStage<List<Action>> answer;
    try {
      answer =
          handler.onNotify(
              new Notification(
                  notify.messages(), negotiated().engineId(), ctx.channel().remoteAddress()));
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete(
        (actions, failure) -> {
          if (ctx.executor().inEventLoop()) {
            acknowledge(ctx, notify, actions, failure);
          } else {
            ctx.executor().execute(() -> acknowledge(ctx, notify, actions, failure));
          }
        });
  }

  private void acknowledge(
      ChannelHandlerContext ctx,
      Frame.Notify notify,
      @Nullable List<Action> actions,
      @Nullable Throwable failure) {
    if (failure != null || actions == null) {
      log.warn(
          "{}: handler failed on NOTIFY {}/{}; answering with an empty ACK",
          ctx.channel(),
          notify.streamId(),
          notify.frameId(),
          failure);
      actions = List.of();
    }
    Frame.Ack ack = new Frame.Ack(notify.streamId(), notify.frameId(), actions);
    ctx.writeAndFlush(ack)
        .addListener(
            f -> {
              if (!f.isSuccess() && ctx.channel().isActive() && isTooBig(f.cause())) {
                log.warn(
                    "{}: ACK {}/{} does not fit max-frame-size {}; sending it without actions",
                    ctx.channel(),
                    notify.streamId(),
                    notify.frameId(),
                    negotiated().maxFrameSize());
                // Best effort: if this fails too, the connection is failing and closes anyway.
                ChannelFuture unused =
                    ctx.writeAndFlush(
                        new Frame.Ack(notify.streamId(), notify.frameId(), List.of()));
              }
              answered();
            });
  }

  /** What the HELLO settled; every state after AWAITING_HELLO has it. */
  private Negotiation negotiated() {
    return requireNonNull(negotiation, "no HELLO negotiated yet");
  }

  private static boolean isTooBig(@Nullable Throwable cause) {
    return cause != null
        && cause.getCause() instanceof SpopException e
        && e.status() == SpopStatus.FRAME_TOO_BIG;
  }

  private void answered() {
    inFlight--;
    if (inFlight == 0 && drained != null) {
      drained.trySuccess(null);
    }
  }

  /**
   * Graceful end: stop taking NOTIFYs, wait until the ones in progress are answered, then send
   * AGENT-DISCONNECT (status 0) and close. Completes the returned promise once answered.
   */
  Future<Void> drain() {
    ChannelHandlerContext ctx = context;
    if (ctx == null || !ctx.channel().isActive()) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
    }
    if (drained == null) {
      drained = ctx.executor().newPromise();
      if (inFlight == 0) {
        drained.trySuccess(null);
      }
      drained.addListener(
          f -> {
            if (ctx.channel().isActive() && state != State.CLOSING) {
              state = State.CLOSING;
              ctx.writeAndFlush(new Frame.AgentDisconnect(SpopStatus.NORMAL, "normal"))
                  .addListener(ChannelFutureListener.CLOSE);
            }
          });
    }
    return drained;
  }

  private void disconnect(ChannelHandlerContext ctx, SpopException e) {
    if (state == State.CLOSING) {
      return;
    }
    state = State.CLOSING;
    log.info("{}: {} (status {}); disconnecting", ctx.channel(), e.getMessage(), e.status());
    String message = requireNonNull(e.getMessage()); // SpopException always has one
    if (message.length() > 255) {
      message = message.substring(0, 255);
    }
    ctx.writeAndFlush(new Frame.AgentDisconnect(e.status(), message))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable root =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (root instanceof SpopException e) {
      disconnect(ctx, e);
    } else {
      log.debug("{}: {}", ctx.channel(), root.toString());
      ChannelFuture unused = ctx.close(); // a failed close has nothing left to clean up
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (drained != null) {
      drained.trySuccess(null);
    }
    ctx.fireChannelInactive();
  }
}
