package dev.sluice.sidecar.offload;

import dev.sluice.spop.Message;
import io.netty.util.concurrent.Promise;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One event on its way to an agent. The promise belongs to the requesting exchange's event loop and
 * is completed at most once, by whichever comes first: the ACK, a failure, or the deadline timer on
 * that loop. Fields other than the promise are confined to the agent client's loop.
 */
final class PendingEvent {
  final List<Message> messages;
  final Promise<OffloadResult> result;
  final long started = System.nanoTime();

  /** The connection carrying the NOTIFY, once sent. */
  @Nullable ClientConnection connection;

  long streamId;

  PendingEvent(List<Message> messages, Promise<OffloadResult> result) {
    this.messages = messages;
    this.result = result;
  }

  long millis() {
    return (System.nanoTime() - started) / 1_000_000;
  }

  boolean done() {
    return result.isDone();
  }
}
