package dev.sluice.examples.iprep;

import dev.sluice.agent.AgentHandler;
import dev.sluice.agent.Notification;
import dev.sluice.spop.Action;
import dev.sluice.spop.Message;
import dev.sluice.spop.Scope;
import dev.sluice.spop.SpopValue;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * Scores client addresses: a stable pseudo-reputation 0..100 (like HAProxy's spoa-example, but
 * repeatable), 0 for addresses in a blocked range. For each message with an address argument (named
 * {@code ip} or {@code src}, or the first address-typed one) it sets {@code txn.<prefix>.ip_score}
 * and {@code txn.<prefix>.blocked}. An optional delay answers later without blocking a thread
 * (useful to watch processing timeouts).
 */
public final class IpReputation implements AgentHandler {
  private final List<Cidr> blocked;
  private final int minScore;
  private final long delayMillis;

  /**
   * @param blockedRanges CIDRs (like {@code 10.0.0.0/8}) whose addresses score 0 and are blocked
   * @param minScore addresses scoring below it are blocked too
   * @param delayMillis answer this late (0: at once)
   * @throws IllegalArgumentException naming a range that does not parse
   */
  public IpReputation(List<String> blockedRanges, int minScore, long delayMillis) {
    this.blocked = blockedRanges.stream().map(Cidr::parse).toList();
    this.minScore = minScore;
    this.delayMillis = delayMillis;
  }

  /** Stable score 0..100 of an address outside the blocked ranges. */
  public static int score(InetAddress address) {
    CRC32 crc = new CRC32();
    crc.update(address.getAddress());
    return (int) (crc.getValue() % 101);
  }

  @Override
  public CompletionStage<List<Action>> onNotify(Notification notification) {
    List<Action> actions = new ArrayList<>();
    for (Message message : notification.messages()) {
      InetAddress address = address(message);
      if (address == null) {
        continue;
      }
      boolean inBlockedRange = blocked.stream().anyMatch(c -> c.contains(address));
      int score = inBlockedRange ? 0 : score(address);
      actions.add(Action.set(Scope.TXN, "ip_score", SpopValue.of(score)));
      actions.add(
          Action.set(Scope.TXN, "blocked", SpopValue.of(inBlockedRange || score < minScore)));
    }
    if (delayMillis <= 0) {
      return CompletableFuture.completedFuture(actions);
    }
    Executor later = CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS);
    return CompletableFuture.supplyAsync(() -> actions, later);
  }

  private static @Nullable InetAddress address(Message message) {
    for (String name : List.of("ip", "src")) {
      InetAddress named = asAddress(message.arg(name));
      if (named != null) {
        return named;
      }
    }
    for (Message.Argument arg : message.args()) {
      InetAddress any = asAddress(arg.value());
      if (any != null) {
        return any;
      }
    }
    return null;
  }

  private static @Nullable InetAddress asAddress(@Nullable SpopValue value) {
    if (value instanceof SpopValue.Ipv4 v4) {
      return v4.address();
    }
    if (value instanceof SpopValue.Ipv6 v6) {
      return v6.address();
    }
    return null;
  }
}
