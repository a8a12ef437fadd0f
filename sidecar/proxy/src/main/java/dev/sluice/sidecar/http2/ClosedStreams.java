package dev.sluice.sidecar.http2;

import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Stream;
import org.jspecify.annotations.Nullable;

/**
 * How the client's latest streams closed, so that a frame arriving on a closed stream gets the
 * answer RFC 9113 section 5.1 gives it rather than Netty's one answer for all of them (a stream
 * error STREAM_CLOSED): ignored after our RST_STREAM (the client may have sent it before it read
 * ours), a stream error after the client's own RST_STREAM, a connection error STREAM_CLOSED after
 * both sides ended the stream; a HEADERS frame for an id the client skipped is a connection error
 * PROTOCOL_ERROR (section 5.1.1). The last {@link #REMEMBERED} closes are kept (section 5.1 lets an
 * endpoint limit how long it ignores late frames); an id at or below the newest one forgotten is
 * answered as Netty answers it. Event-loop confined.
 */
final class ClosedStreams extends Http2ConnectionAdapter {
  static final int REMEMBERED = 256;

  /** How a stream closed. */
  enum How {
    /** We sent RST_STREAM (refused, malformed, answered early, failed). */
    RESET_BY_US,
    /** The client sent RST_STREAM first. */
    RESET_BY_CLIENT,
    /** Both sides sent END_STREAM. */
    ENDED
  }

  private final Http2Connection connection;
  private final Http2Connection.PropertyKey clientReset;

  /** A ring of the latest closes, allocated with the first: ids and how each closed. */
  private int @Nullable [] ids;

  private How @Nullable [] hows;
  private int next;
  private int size;

  /** The largest id evicted from the ring so far: what is at or below it may be forgotten. */
  private int forgottenUpTo;

  ClosedStreams(Http2Connection connection) {
    this.connection = connection;
    this.clientReset = connection.newKey();
  }

  /** The client reset {@code stream} with {@code errorCode} (before Netty closes it). */
  void resetByClient(Http2Stream stream, long errorCode) {
    stream.setProperty(clientReset, errorCode);
  }

  /** The error code the client reset {@code stream} with; null when it did not. */
  @Nullable Long clientResetCode(Http2Stream stream) {
    return stream.getProperty(clientReset);
  }

  @Override
  public void onStreamClosed(Http2Stream stream) {
    if (!connection.remote().created(stream)) {
      return;
    }
    How how;
    if (stream.isResetSent()) {
      how = How.RESET_BY_US;
    } else if (stream.getProperty(clientReset) != null) {
      how = How.RESET_BY_CLIENT;
    } else {
      how = How.ENDED;
    }
    remember(stream.id(), how);
  }

  /**
   * How client stream {@code id} closed; null when it is not remembered: never opened (see {@link
   * #neverOpened}), or forgotten.
   */
  @Nullable How how(int id) {
    int[] known = ids;
    How[] kinds = hows;
    if (known == null || kinds == null) {
      return null;
    }
    for (int i = 0; i < size; i++) {
      int at = Math.floorMod(next - 1 - i, REMEMBERED);
      if (known[at] == id) {
        return kinds[at];
      }
    }
    return null;
  }

  /**
   * True when client stream {@code id}, below the last one the client opened and neither open nor
   * remembered, was never opened: the client skipped it (it is closed, RFC 9113 section 5.1.1).
   */
  boolean neverOpened(int id) {
    return id > forgottenUpTo
        && id <= connection.remote().lastStreamCreated()
        && connection.stream(id) == null
        && how(id) == null;
  }

  private void remember(int id, How how) {
    int[] known = ids;
    How[] kinds = hows;
    if (known == null || kinds == null) {
      known = ids = new int[REMEMBERED];
      kinds = hows = new How[REMEMBERED];
    }
    if (size == REMEMBERED) {
      forgottenUpTo = Math.max(forgottenUpTo, known[next]);
    } else {
      size++;
    }
    known[next] = id;
    kinds[next] = how;
    next = (next + 1) % REMEMBERED;
  }
}
