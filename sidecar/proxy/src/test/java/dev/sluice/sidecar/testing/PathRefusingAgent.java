package dev.sluice.sidecar.testing;

import dev.sluice.agent.AgentHandler;
import dev.sluice.agent.AgentServer;
import dev.sluice.spop.Action;
import dev.sluice.spop.Scope;
import dev.sluice.spop.SpopValue;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A WAF-like SPOE agent on the SDK: sets {@code txn.<prefix>.blocked} to whether the message's
 * {@code path} argument contains "refused", for a rule's deny action to act on.
 */
public final class PathRefusingAgent {
  /** Starts one on a loopback port the OS picks. */
  public static AgentServer start() throws Exception {
    return AgentServer.builder(
            (AgentHandler)
                notification -> {
                  String path = notification.messages().get(0).arg("path").asText();
                  return CompletableFuture.completedFuture(
                      List.of(
                          Action.set(
                              Scope.TXN, "blocked", SpopValue.of(path.contains("refused")))));
                })
        .listen(new InetSocketAddress("127.0.0.1", 0))
        .start();
  }

  private PathRefusingAgent() {}
}
