package dev.sluice.sidecar.http2;

import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * What one HTTP/2 stream received and its reader has not asked for yet, on either side (a client's
 * request stream, an upstream's response stream). Objects wait until the reader asks; their
 * flow-controlled bytes go back to the peer's window only when they are handed over (backpressure).
 * A read hands over one object; a read with nothing queued is remembered and the next object goes
 * at once. A reader that asks again while it is handed an object (its other side took the object
 * and can take more) gets the next one from the same loop instead of a nested one; one that does
 * not ask stops the hand-over there, so what its other side cannot take stays here, unconsumed, and
 * holds the peer to its window. Event-loop confined.
 */
public final class StreamInbound {
  /** Who the objects go to. */
  public interface Reader {
    /** False while nothing may be handed over (no reader bound, or the stream closed). */
    boolean accepting();

    /** Gives {@code bytes} of the stream's received data back to the peer's window. */
    void consume(int bytes);

    /** One object (ownership passes). */
    void deliver(HttpObject msg);
  }

  /** A received object and the flow-controlled bytes it holds. */
  private record Entry(HttpObject msg, int bytes) {}

  private final ArrayDeque<Entry> queue = new ArrayDeque<>(3);
  private final Reader reader;
  private boolean demand;
  private boolean delivering;
  private int held;

  /** {@code demand}: the first object is wanted at once (a request stream's head). */
  public StreamInbound(Reader reader, boolean demand) {
    this.reader = reader;
    this.demand = demand;
  }

  /** A received object (ownership passes): handed over at once when asked for, else queued. */
  public void offer(HttpObject msg, int bytes) {
    queue.add(new Entry(msg, bytes));
    held += bytes;
    if (demand) {
      drain();
    }
  }

  /**
   * The reader asks for the next object; true when nothing was queued (the demand is remembered).
   */
  public boolean request() {
    demand = true;
    if (queue.isEmpty()) {
      return true;
    }
    drain();
    return false;
  }

  /** True while nothing is queued and no hand-over is under way. */
  public boolean idle() {
    return queue.isEmpty() && !delivering;
  }

  /** True when the reader asked and got nothing yet. */
  public boolean demanded() {
    return demand;
  }

  /** Flow-controlled bytes queued and not handed over yet. */
  public int held() {
    return held;
  }

  /**
   * Releases everything queued (the stream was cut short or its reader let go); returns the
   * flow-controlled bytes it held.
   */
  public int releaseAll() {
    Entry unread;
    while ((unread = queue.poll()) != null) {
      ReferenceCountUtil.release(unread.msg());
    }
    int released = held;
    held = 0;
    return released;
  }

  /** Hands over one object per demand; a demand raised during a hand-over continues the loop. */
  private void drain() {
    if (delivering) {
      return; // the running loop sees the demand
    }
    delivering = true;
    try {
      Entry next;
      while (demand && reader.accepting() && (next = queue.poll()) != null) {
        demand = false;
        held -= next.bytes();
        reader.consume(next.bytes());
        reader.deliver(next.msg());
      }
    } finally {
      delivering = false;
    }
  }
}
