package dev.sluice.examples.iprep;

import dev.sluice.agent.AgentServer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar ip-reputation-agent.jar --listen 127.0.0.1:12345 --block 10.0.0.0/8}. */
@Command(
    name = "ip-reputation-agent",
    mixinStandardHelpOptions = true,
    description = "Example SPOE agent: sets txn.<prefix>.ip_score and txn.<prefix>.blocked.")
public final class IpReputationAgent implements Callable<Integer> {
  @Option(
      names = "--listen",
      defaultValue = "127.0.0.1:12345",
      description = "host:port to listen on (default ${DEFAULT-VALUE})")
  String listen;

  @Option(names = "--block", description = "CIDR whose addresses are blocked (repeatable)")
  List<String> blocks = new ArrayList<>();

  @Option(
      names = "--min-score",
      defaultValue = "0",
      description = "addresses scoring below this are blocked too (default ${DEFAULT-VALUE})")
  int minScore;

  @Option(
      names = "--delay-ms",
      defaultValue = "0",
      description = "answer this late, to watch processing timeouts (default ${DEFAULT-VALUE})")
  long delayMillis;

  public static void main(String[] args) {
    System.exit(new CommandLine(new IpReputationAgent()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    IpReputation handler;
    InetSocketAddress address;
    try {
      handler = new IpReputation(blocks, minScore, delayMillis);
      address = parseListen(listen);
    } catch (IllegalArgumentException e) {
      // checkstyle:terminal-output-begin
      System.err.println("ip-reputation-agent: " + e.getMessage());
      // checkstyle:terminal-output-end
      return 2;
    }
    try (AgentServer agent = AgentServer.builder(handler).listen(address).start()) {
      Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "agent-shutdown"));
      // checkstyle:terminal-output-begin
      System.out.println("ip-reputation-agent: listening on " + agent.localAddress());
      // checkstyle:terminal-output-end
      agent.awaitClose();
    }
    return 0;
  }

  static InetSocketAddress parseListen(String text) {
    int colon = text.lastIndexOf(':');
    try {
      if (colon > 0) {
        int port = Integer.parseInt(text.substring(colon + 1));
        if (port >= 0 && port <= 65535) {
          String host = text.substring(0, colon).replace("[", "").replace("]", "");
          return new InetSocketAddress(host, port);
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "--listen \"" + text + "\" (expected: host:port with port 0..65535)");
  }
}
