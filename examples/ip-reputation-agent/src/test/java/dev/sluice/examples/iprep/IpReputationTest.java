package dev.sluice.examples.iprep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.agent.Notification;
import dev.sluice.spop.Action;
import dev.sluice.spop.Message;
import dev.sluice.spop.Scope;
import dev.sluice.spop.SpopValue;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class IpReputationTest {
  @Test
  void cidrsMatchByPrefix() throws Exception {
    Cidr ten = Cidr.parse("10.0.0.0/8");
    assertThat(ten.contains(InetAddress.getByName("10.200.1.1"))).isTrue();
    assertThat(ten.contains(InetAddress.getByName("11.0.0.1"))).isFalse();
    assertThat(ten.contains(InetAddress.getByName("::1"))).isFalse();
    assertThat(Cidr.parse("2001:db8::/32").contains(InetAddress.getByName("2001:db8:1::5")))
        .isTrue();
    assertThat(Cidr.parse("192.168.1.7").contains(InetAddress.getByName("192.168.1.7"))).isTrue();
  }

  @Test
  void badBlocksNameTheValueAndWhatWasExpected() {
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33"))
        .hasMessage("block \"10.0.0.0/33\": prefix length (expected: 0..32)");
    assertThatThrownBy(() -> Cidr.parse("example.com/8"))
        .hasMessage("block \"example.com/8\": not an IP address (expected: CIDR like 10.0.0.0/8)");
    assertThatThrownBy(() -> IpReputationAgent.parseListen("localhost"))
        .hasMessage("--listen \"localhost\" (expected: host:port with port 0..65535)");
  }

  @Test
  void setsScoreAndBlockedForEachAddressMessage() throws Exception {
    IpReputation agent = new IpReputation(List.of("10.0.0.0/8"), 30, 0);
    InetAddress ok = InetAddress.getByName("192.0.2.1");
    Message fromIp =
        new Message("check-client-ip", List.of(new Message.Argument("ip", SpopValue.of(ok))));
    Message blocked =
        new Message(
            "other",
            List.of(
                new Message.Argument("path", SpopValue.of("/")),
                new Message.Argument("", SpopValue.of(InetAddress.getByName("10.1.1.1")))));
    Message none = new Message("log", List.of(new Message.Argument("path", SpopValue.of("/"))));
    List<Action> actions =
        agent
            .onNotify(new Notification(List.of(fromIp, none, blocked), "", null))
            .toCompletableFuture()
            .get();
    int score = IpReputation.score(ok);
    assertThat(actions)
        .containsExactly(
            Action.set(Scope.TXN, "ip_score", SpopValue.of(score)),
            Action.set(Scope.TXN, "blocked", SpopValue.of(score < 30)),
            Action.set(Scope.TXN, "ip_score", SpopValue.of(0)),
            Action.set(Scope.TXN, "blocked", SpopValue.of(true)));
  }
}
