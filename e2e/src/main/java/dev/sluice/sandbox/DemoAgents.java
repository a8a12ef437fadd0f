package dev.sluice.sandbox;

import dev.sluice.agent.AgentHandler;
import dev.sluice.agent.AgentServer;
import dev.sluice.examples.iprep.IpReputation;
import dev.sluice.spop.Action;
import dev.sluice.spop.Message;
import dev.sluice.spop.Scope;
import dev.sluice.spop.SpopValue;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's SPOE agents, real SPOP servers from the agent SDK: a WAF that blocks uploads whose
 * path says "attack" ({@code txn.waf.blocked}), and the example IP-reputation agent scoring the
 * client address ({@code sess.iprep.ip_score}).
 */
final class DemoAgents implements AutoCloseable {
  final AtomicLong wafNotifications = new AtomicLong();

  /** Milliseconds the WAF waits before answering (a stalled agent). */
  volatile long wafStallMillis;

  private final AgentServer waf;
  private final AgentServer iprep;

  DemoAgents(InetSocketAddress wafAddress, InetSocketAddress iprepAddress)
      throws InterruptedException {
    AgentHandler blocksAttacks =
        notification -> {
          wafNotifications.incrementAndGet();
          List<Action> actions = new ArrayList<>();
          Message check = notification.message("check-request");
          if (check != null) {
            SpopValue path = check.arg("path");
            boolean attack = path != null && path.asText().contains("attack");
            actions.add(Action.set(Scope.TXN, "blocked", SpopValue.of(attack)));
          }
          long stall = wafStallMillis;
          return stall == 0
              ? CompletableFuture.completedFuture(actions)
              : CompletableFuture.supplyAsync(
                  () -> actions,
                  CompletableFuture.delayedExecutor(
                      stall, java.util.concurrent.TimeUnit.MILLISECONDS));
        };
    waf = AgentServer.builder(blocksAttacks).listen(wafAddress).start();
    iprep = AgentServer.builder(new IpReputation(List.of(), 0, 0)).listen(iprepAddress).start();
  }

  @Override
  public void close() {
    waf.close();
    iprep.close();
  }
}
