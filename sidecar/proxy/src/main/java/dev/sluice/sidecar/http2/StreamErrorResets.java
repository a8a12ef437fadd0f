package dev.sluice.sidecar.http2;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DecoratingHttp2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2LifecycleManager;
import io.netty.handler.codec.http2.Http2Stream;
import org.jspecify.annotations.Nullable;

/**
 * Counts the RST_STREAM frames the server sends for its client's errors against a {@link
 * ResetBudget}: a client making the server reset stream after stream (a malformed head, a frame its
 * stream's state does not allow, a flow-control violation...) is cut with GOAWAY ENHANCE_YOUR_CALM,
 * as Netty's own encoder limit does. Unlike Netty's, resets that are no fault of the client's do
 * not count: REFUSED_STREAM (a stream past our concurrency limit, which a client may open before it
 * read our SETTINGS), NO_ERROR and CANCEL (an answer that made the rest of a request unwanted),
 * INTERNAL_ERROR (our own or the upstream's failure).
 */
final class StreamErrorResets extends DecoratingHttp2ConnectionEncoder {
  private final ResetBudget budget;
  private final String limit;
  private @Nullable Http2LifecycleManager lifecycle;
  private boolean exceeded;

  StreamErrorResets(Http2ConnectionEncoder delegate, ResetBudget budget, String limit) {
    super(delegate);
    this.budget = budget;
    this.limit = limit;
  }

  @Override
  public void lifecycleManager(Http2LifecycleManager lifecycleManager) {
    this.lifecycle = lifecycleManager;
    super.lifecycleManager(lifecycleManager);
  }

  @Override
  public ChannelFuture writeRstStream(
      ChannelHandlerContext ctx, int streamId, long errorCode, ChannelPromise promise) {
    Http2Stream stream = connection().stream(streamId);
    boolean counts = clientsFault(errorCode) && (stream == null || !stream.isResetSent());
    ChannelFuture written = super.writeRstStream(ctx, streamId, errorCode, promise);
    if (counts && !exceeded && !budget.spend()) {
      exceeded = true;
      requireNonNull(lifecycle, "set by the connection handler")
          .onError(
              ctx,
              true,
              new LimitExceeded(
                  Refusal.STREAM_ERROR_FLOOD, "the client caused the reset of more than " + limit));
    }
    return written;
  }

  static boolean clientsFault(long errorCode) {
    return errorCode != Http2Error.NO_ERROR.code()
        && errorCode != Http2Error.CANCEL.code()
        && errorCode != Http2Error.REFUSED_STREAM.code()
        && errorCode != Http2Error.INTERNAL_ERROR.code();
  }
}
