package dev.sluice.agent;

import dev.sluice.spop.Action;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * What an agent does with each NOTIFY. Called on the connection's I/O thread: return at once with a
 * stage that completes (on any thread) with the actions to send back. Blocking work belongs on an
 * executor: wrap it with {@link #blocking}. A stage that fails is answered with an empty ACK (and
 * logged): the client sees "nothing to do" rather than waiting for its timeout.
 */
@FunctionalInterface
public interface AgentHandler {
  CompletionStage<List<Action>> onNotify(Notification notification);

  /** A handler computed inline on the I/O thread; it must be quick and never block. */
  static AgentHandler sync(Function<Notification, List<Action>> handler) {
    return notification -> {
      try {
        return CompletableFuture.completedFuture(handler.apply(notification));
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    };
  }

  /** A handler that may block, run on {@code executor}. */
  static AgentHandler blocking(Executor executor, Function<Notification, List<Action>> handler) {
    return notification ->
        CompletableFuture.supplyAsync(() -> handler.apply(notification), executor);
  }
}
