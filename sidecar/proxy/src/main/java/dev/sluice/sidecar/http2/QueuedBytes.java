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

  /** Told of every change of the bytes queued. */
  public interface Changes {
    /**
     * {@code delta} bytes more (or, negative, fewer) queued; {@code sent}: a decrease whose bytes
     * went to the socket (false: queued, or dropped because the stream closed).
     */
    void changed(int delta, boolean sent);
  }

  private static final Changes UNWATCHED = (delta, sent) -> {};

  private final Runnable onWritable;
  private final Changes changes;
  private long queued;
  private long left;
  private boolean reportedUnwritable;

  public QueuedBytes(Runnable onWritable) {
    this(onWritable, UNWATCHED);
  }

  public QueuedBytes(Runnable onWritable, Changes changes) {
    this.onWritable = onWritable;
    this.changes = changes;
  }

  @Override
  public ChannelPromise queued(ChannelPromise promise, ByteBuf data) {
    int bytes = data.readableBytes();
    queued += bytes;
    if (bytes > 0) {
      changes.changed(bytes, false);
    }
    promise.addListener(
        f -> {
          queued -= bytes;
          left += bytes;
          if (bytes > 0) {
            changes.changed(-bytes, f.isSuccess());
          }
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
    return report(queued < HIGH_WATER && channelWritable);
  }

  /**
   * Whether more may be written now to a stream whose peer reads by flow control: as {@link
   * #writable(boolean)}, and while bytes are queued, only while the peer's window can take more
   * ({@code windowOpen}). With nothing queued one more object may always be written (an empty last
   * one is how END_STREAM goes out on a zero window), so at most that one waits on a shut window.
   */
  public boolean writable(boolean channelWritable, boolean windowOpen) {
    return report(queued < HIGH_WATER && channelWritable && (queued == 0 || windowOpen));
  }

  private boolean report(boolean writable) {
    if (!writable) {
      reportedUnwritable = true;
    }
    return writable;
  }
}
