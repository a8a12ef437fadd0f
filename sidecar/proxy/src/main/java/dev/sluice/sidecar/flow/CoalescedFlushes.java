package dev.sluice.sidecar.flow;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Turns the many flushes of a forwarding burst into one write syscall per socket. The exchange
 * flushes every object it relays (head, each body chunk, end) so that no byte ever waits for a
 * later one; on the socket, flushes issued while the socket reads are held until its read
 * completes, and flushes issued from another channel's work (the other side of the exchange) run
 * once at the end of the current event-loop task. Write promises complete after that flush, so the
 * read-after-write backpressure of the exchange is unchanged. On an agent connection, the NOTIFY
 * frames of the requests that one event-loop pass starts leave in one write (HAProxy's SPOE applet
 * batches them the same way): about one {@code sendto} per request less on the offload path.
 */
public final class CoalescedFlushes {
  /** Flushes held at most before one is let through anyway. */
  static final int MAX_HELD = 64;

  /** Installs the consolidation next to the socket; call first thing in a socket's initializer. */
  public static void install(ChannelPipeline socketPipeline) {
    socketPipeline.addFirst("flush", new FlushConsolidationHandler(MAX_HELD, true));
  }

  private CoalescedFlushes() {}
}
