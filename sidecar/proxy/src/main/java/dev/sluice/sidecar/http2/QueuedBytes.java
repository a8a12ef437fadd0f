package dev.sluice.sidecar.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelPromise;

/**
 * Writability of one HTTP/2 stream as a reader of the other side needs it: the bytes written to the
 * stream and not yet gone to the socket (waiting for flow-control window, or for the socket). Above
 * {@link #HIGH_WATER} the stream is not writable; once it was reported so, dropping to {@link
 * #LOW_WATER} calls {@code onWritable}. Deliberately not the window itself: with the peer's window
 * exhausted the reader must still take the empty last chunk, so END_STREAM can go out on a zero
 * window. Event-loop confined.
 */
public final class QueuedBytes implements Http2Messages.DataWrites {
  public static final int HIGH_WATER = 64 * 1024;
  public static final int LOW_WATER = 32 * 1024;

  private final Runnable onWritable;
  private long queued;
  private long left;
  private boolean reportedUnwritable;

  public QueuedBytes(Runnable onWritable) {
    this.onWritable = onWritable;
  }

  @Override
  public ChannelPromise queued(ChannelPromise promise, ByteBuf data) {
    int bytes = data.readableBytes();
    queued += bytes;
    promise.addListener(
        f -> {
          queued -= bytes;
          left += bytes;
          if (reportedUnwritable && queued <= LOW_WATER) {
            reportedUnwritable = false;
            onWritable.run();
          }
        });
    return promise;
  }

  /** Bytes written to the stream that have not gone to the socket yet. */
  public long queuedBytes() {
    return queued;
  }

  /** Bytes that left the queue so far (written to the socket, or dropped with the stream). */
  public long leftBytes() {
    return left;
  }

  /** Whether more may be written now ({@code channelWritable}: the connection's socket). */
  public boolean writable(boolean channelWritable) {
    boolean writable = queued < HIGH_WATER && channelWritable;
    if (!writable) {
      reportedUnwritable = true;
    }
    return writable;
  }
}
