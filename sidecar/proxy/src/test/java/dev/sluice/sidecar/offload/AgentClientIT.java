package dev.sluice.sidecar.offload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.agent.AgentHandler;
import dev.sluice.agent.AgentServer;
import dev.sluice.sidecar.config.HostPort;
import dev.sluice.sidecar.endpoints.EndpointTable;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.testing.ScriptedAgent;
import dev.sluice.sidecar.transport.Io;
import dev.sluice.spop.Action;
import dev.sluice.spop.Frame;
import dev.sluice.spop.Hellos;
import dev.sluice.spop.KvList;
import dev.sluice.spop.Message;
import dev.sluice.spop.Scope;
import dev.sluice.spop.SpopValue;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's SPOP client against the SDK's agent and against agents that misbehave on purpose.
 * Every case: the outcome arrives within the processing timeout + 100 ms, with the error code
 * HAProxy's set-on-error would report, and other events are untouched.
 */
class AgentClientIT {
  private static final Logger log = LoggerFactory.getLogger(AgentClientIT.class);
  static final Duration PROCESSING = Duration.ofMillis(300);
  static final long BOUND_MILLIS = PROCESSING.toMillis() + 100;

  private EventLoopGroup group;
  private EventLoop poolLoop;
  private EventLoop caller;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void loops() {
    group = Io.defaults().transport().newGroup(2, "agent-client-test");
    poolLoop = group.next();
    caller = group.next();
    assertThat(caller).isNotSameAs(poolLoop);
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** An outcome and how long the caller waited for it. */
  record Timed(OffloadResult result, long elapsedMillis) {}

  private AgentClient client(String endpoint) {
    return client(endpoint, s -> s);
  }

  private AgentClient client(String endpoint, UnaryOperator<AgentSettings> tweak) {
    AgentSettings settings =
        tweak.apply(
            new AgentSettings(
                "test",
                List.of(HostPort.parse(endpoint)),
                null,
                4,
                true,
                20,
                16380,
                Duration.ofMillis(500),
                Duration.ofSeconds(30),
                PROCESSING,
                Duration.ofMillis(100),
                "engine-1"));
    AgentClient client =
        new AgentClient(settings, Io.defaults(), poolLoop, new ProxyMetrics(), new EndpointTable());
    closeables.add(client);
    return client;
  }

  private static List<Message> event(String path) {
    return List.of(new Message("check", List.of(new Message.Argument("path", SpopValue.of(path)))));
  }

  private CompletableFuture<Timed> send(AgentClient client, List<Message> messages) {
    CompletableFuture<Timed> timed = new CompletableFuture<>();
    caller.execute(
        () -> {
          long started = System.nanoTime();
          client
              .send(caller, messages)
              .addListener(
                  f ->
                      timed.complete(
                          new Timed(
                              (OffloadResult) f.getNow(),
                              (System.nanoTime() - started) / 1_000_000)));
        });
    return timed;
  }

  private Timed await(CompletableFuture<Timed> timed) throws Exception {
    Timed t = timed.get(5, TimeUnit.SECONDS);
    assertThat(t.elapsedMillis())
        .as("outcome %s after %d ms", t.result(), t.elapsedMillis())
        .isLessThanOrEqualTo(BOUND_MILLIS);
    return t;
  }

  private AgentServer sdkAgent(AgentHandler handler) {
    AgentServer agent =
        AgentServer.builder(handler).listen(new InetSocketAddress("127.0.0.1", 0)).start();
    closeables.add(agent);
    return agent;
  }

  private static final AgentHandler ECHO =
      AgentHandler.sync(
          n -> List.of(Action.set(Scope.TXN, "path", n.message("check").arg("path"))));

  private static String address(AgentServer agent) {
    return "127.0.0.1:" + agent.localAddress().getPort();
  }

  @Test
  void answersComeBackWithTheirActions() throws Exception {
    AgentClient client = client(address(sdkAgent(ECHO)));
    for (int i = 0; i < 50; i++) {
      Timed t = await(send(client, event("/" + i)));
      assertThat(t.result().ok()).isTrue();
      assertThat(t.result().actions())
          .containsExactly(Action.set(Scope.TXN, "path", SpopValue.of("/" + i)));
    }
    assertThat(poolLoop.submit(client::connectionCount).get()).isEqualTo(1);
  }

  @Test
  void sixtyFourConcurrentEventsWithSomeDelayedPastTheTimeoutNeverOverrun() throws Exception {
    AgentHandler sometimesSlow =
        n -> {
          String path = n.message("check").arg("path").asText();
          long delay = path.endsWith("slow") ? 600 : 20;
          return CompletableFuture.supplyAsync(
              () -> List.of(Action.set(Scope.TXN, "path", SpopValue.of(path))),
              CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
        };
    AgentClient client = client(address(sdkAgent(sometimesSlow)));
    for (int round = 0; round < 3; round++) {
      List<CompletableFuture<Timed>> all = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        all.add(send(client, event("/" + i + (i % 3 == 0 ? "/slow" : ""))));
      }
      long worst = 0;
      for (int i = 0; i < 64; i++) {
        Timed t = await(all.get(i));
        worst = Math.max(worst, t.elapsedMillis());
        if (i % 3 == 0) {
          assertThat(t.result().error()).as("event %d", i).isEqualTo(OffloadResult.TIMEOUT);
        } else {
          assertThat(t.result().ok()).as("event %d: %s", i, t.result()).isTrue();
          assertThat(t.result().actions())
              .containsExactly(Action.set(Scope.TXN, "path", SpopValue.of("/" + i)));
        }
      }
      log.info(
          "64 concurrent events, round {}: slowest outcome after {} ms (timeout {} ms, overrun {} ms)",
          round,
          worst,
          PROCESSING.toMillis(),
          worst - PROCESSING.toMillis());
    }
  }

  @Test
  void aLateAckIsDroppedAndTheConnectionServesTheNextEvent() throws Exception {
    java.util.concurrent.CountDownLatch timedOut = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch lateSent = new java.util.concurrent.CountDownLatch(1);
    try (ScriptedAgent agent =
        new ScriptedAgent(
            (peer, hello) -> {
              peer.helloBack(16380);
              Frame.Notify first = (Frame.Notify) peer.read();
              timedOut.await(5, TimeUnit.SECONDS); // answer only after the client gave up
              peer.send(new Frame.Ack(first.streamId(), first.frameId(), List.of(late())));
              lateSent.countDown();
              Frame.Notify second = (Frame.Notify) peer.read();
              peer.send(new Frame.Ack(second.streamId(), second.frameId(), List.of(fresh())));
              peer.drain();
            })) {
      AgentClient client = client(agent.address());
      Timed first = await(send(client, event("/first")));
      assertThat(first.result().error()).isEqualTo(OffloadResult.TIMEOUT);
      assertThat(first.elapsedMillis()).isGreaterThanOrEqualTo(PROCESSING.toMillis() - 5);
      timedOut.countDown();
      assertThat(lateSent.await(5, TimeUnit.SECONDS)).isTrue();
      Timed second = await(send(client, event("/second")));
      assertThat(second.result().actions()).containsExactly(fresh());
      assertThat(agent.connections()).isEqualTo(1);
    }
  }

  private static Action late() {
    return Action.set(Scope.TXN, "late", SpopValue.of(true));
  }

  private static Action fresh() {
    return Action.set(Scope.TXN, "fresh", SpopValue.of(true));
  }

  @Test
  void anAgentThatNeverAnswersTimesOut() throws Exception {
    try (ScriptedAgent agent =
        new ScriptedAgent(
            (peer, hello) -> {
              peer.helloBack(16380);
              peer.drain();
            })) {
      AgentClient client = client(agent.address());
      List<CompletableFuture<Timed>> events = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        events.add(send(client, event("/" + i)));
      }
      for (CompletableFuture<Timed> e : events) {
        Timed t = await(e);
        assertThat(t.result().error()).isEqualTo(OffloadResult.TIMEOUT);
        assertThat(t.result().detail()).contains("did not answer within its processing timeout");
      }
    }
  }

  @Test
  void aDroppedConnectionFailsOnlyItsOwnEventsAndAtOnce() throws Exception {
    try (ScriptedAgent agent =
        new ScriptedAgent(
            (peer, hello) -> {
              // no pipelining: one connection per concurrent event
              peer.send(Hellos.agent(16380, Set.of()));
              while (true) {
                Frame.Notify notify = (Frame.Notify) peer.read();
                String path = notify.messages().get(0).arg("path").asText();
                if (path.equals("/drop")) {
                  peer.close();
                  return;
                }
                Thread.sleep(100); // scripted peer: the agent answers 100 ms later
                peer.send(new Frame.Ack(notify.streamId(), notify.frameId(), List.of(fresh())));
              }
            })) {
      AgentClient client = client(agent.address());
      var a = send(client, event("/a"));
      var drop = send(client, event("/drop"));
      var b = send(client, event("/b"));
      Timed dropped = await(drop);
      assertThat(dropped.result().error()).isEqualTo(OffloadResult.STATUS_BASE + 1);
      assertThat(dropped.elapsedMillis()).isLessThan(PROCESSING.toMillis());
      assertThat(await(a).result().actions()).containsExactly(fresh());
      assertThat(await(b).result().actions()).containsExactly(fresh());
    }
  }

  @Test
  void acksWithUnknownIdsAreDroppedWithoutTouchingOtherEvents() throws Exception {
    try (ScriptedAgent agent =
        new ScriptedAgent(
            (peer, hello) -> {
              peer.helloBack(16380);
              Frame.Notify first = (Frame.Notify) peer.read();
              peer.send(new Frame.Ack(first.streamId() + 100, 1, List.of(late())));
              peer.send(new Frame.Ack(first.streamId(), 7, List.of(late())));
              Frame.Notify second = (Frame.Notify) peer.read();
              peer.send(new Frame.Ack(second.streamId(), second.frameId(), List.of(fresh())));
              peer.drain();
            })) {
      AgentClient client = client(agent.address());
      var first = send(client, event("/first"));
      var second = send(client, event("/second")); // dispatched in order, after the first
      assertThat(await(second).result().actions()).containsExactly(fresh());
      assertThat(await(first).result().error()).isEqualTo(OffloadResult.TIMEOUT);
    }
  }

  @Test
  void anUnknownActionTypeKeepsTheActionsBeforeIt() throws Exception {
    try (ScriptedAgent agent =
        new ScriptedAgent(
            (peer, hello) -> {
              peer.helloBack(16380);
              Frame.Notify notify = (Frame.Notify) peer.read();
              byte[] set = {1, 3, 2, 5, 's', 'c', 'o', 'r', 'e', 4, 10};
              byte[] unknown = {9, 1, 2};
              byte[] body = new byte[7 + set.length + unknown.length];
              body[0] = 103;
              body[4] = 1;
              body[5] = (byte) notify.streamId();
              body[6] = 1;
              System.arraycopy(set, 0, body, 7, set.length);
              System.arraycopy(unknown, 0, body, 7 + set.length, unknown.length);
              byte[] framed = new byte[4 + body.length];
              framed[3] = (byte) body.length;
              System.arraycopy(body, 0, framed, 4, body.length);
              peer.sendRaw(framed);
              peer.drain();
            })) {
      Timed t = await(send(client(agent.address()), event("/")));
      assertThat(t.result().ok()).isTrue();
      assertThat(t.result().actions())
          .containsExactly(Action.set(Scope.TXN, "score", SpopValue.of(10)));
    }
  }

  @Test
  void aTinyFrameSizeFailsOversizedEventsAtOnceWith259() throws Exception {
    try (ScriptedAgent agent =
        new ScriptedAgent(
            (peer, hello) -> {
              peer.helloBack(256);
              while (true) {
                Frame.Notify notify = (Frame.Notify) peer.read();
                peer.send(new Frame.Ack(notify.streamId(), notify.frameId(), List.of(fresh())));
              }
            })) {
      AgentClient client = client(agent.address());
      assertThat(await(send(client, event("/small"))).result().actions()).containsExactly(fresh());
      Timed big = await(send(client, event("/" + "x".repeat(400))));
      assertThat(big.result().error()).isEqualTo(OffloadResult.STATUS_BASE + 3);
      assertThat(big.elapsedMillis()).isLessThan(PROCESSING.toMillis());
      assertThat(await(send(client, event("/again"))).result().actions()).containsExactly(fresh());
      assertThat(agent.connections()).isEqualTo(1);
    }
  }

  @Test
  void aRefusedHelloFailsFastAndReconnectsArePaced() throws Exception {
    try (ScriptedAgent agent =
        new ScriptedAgent(
            (peer, hello) -> {
              peer.send(new Frame.AgentDisconnect(42, "go away"));
              peer.drain();
            })) {
      AgentClient client = client(agent.address());
      Timed first = await(send(client, event("/")));
      assertThat(first.result().error()).isEqualTo(OffloadResult.STATUS_BASE + 42);
      assertThat(first.result().detail()).contains("status 42 (go away)");
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      int sent = 0;
      while (System.nanoTime() < until) {
        Timed t = await(send(client, event("/")));
        assertThat(t.result().ok()).isFalse();
        sent++;
        Thread.sleep(10); // pacing: about 100 events a second for a second
      }
      log.info("refused HELLO: {} events in 1 s opened {} connections", sent, agent.connections());
      assertThat(sent).isGreaterThan(20);
      assertThat(agent.connections()).isLessThanOrEqualTo(10);
    }
  }

  @Test
  void aWrongVersionIsRefusedWithStatus8() throws Exception {
    List<Frame> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (ScriptedAgent agent =
        new ScriptedAgent(
            (peer, hello) -> {
              peer.send(
                  new Frame.AgentHello(
                      KvList.builder()
                          .put("version", SpopValue.of("1.0"))
                          .put("max-frame-size", new SpopValue.Uint32(16380))
                          .build()));
              seen.add(peer.read());
            })) {
      Timed t = await(send(client(agent.address()), event("/")));
      assertThat(t.result().error()).isEqualTo(OffloadResult.STATUS_BASE + 8);
      Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> !seen.isEmpty());
      assertThat(seen.get(0)).isInstanceOf(Frame.HaproxyDisconnect.class);
      assertThat(((Frame.HaproxyDisconnect) seen.get(0)).status()).isEqualTo(8);
    }
  }

  @Test
  void agentDisconnectFailsPendingEventsWith256PlusStatus() throws Exception {
    List<Frame> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (ScriptedAgent agent =
        new ScriptedAgent(
            (peer, hello) -> {
              peer.helloBack(16380);
              peer.read();
              peer.send(new Frame.AgentDisconnect(99, "maintenance"));
              seen.add(peer.read());
            })) {
      Timed t = await(send(client(agent.address()), event("/")));
      assertThat(t.result().error()).isEqualTo(355);
      assertThat(t.elapsedMillis()).isLessThan(PROCESSING.toMillis());
      Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> !seen.isEmpty());
      assertThat(seen.get(0)).isEqualTo(new Frame.HaproxyDisconnect(0, "normal"));
    }
  }

  @Test
  void closingSaysHaproxyDisconnectOnceEventsInFlightAreAnswered() throws Exception {
    List<Frame> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.CountDownLatch received = new java.util.concurrent.CountDownLatch(1);
    try (ScriptedAgent agent =
        new ScriptedAgent(
            (peer, hello) -> {
              peer.helloBack(16380);
              Frame.Notify notify = (Frame.Notify) peer.read();
              received.countDown();
              Thread.sleep(100); // scripted peer: the agent answers 100 ms later
              peer.send(new Frame.Ack(notify.streamId(), notify.frameId(), List.of(fresh())));
              seen.add(peer.read());
              peer.send(new Frame.AgentDisconnect(0, "normal"));
              peer.drain();
            })) {
      AgentClient client = client(agent.address());
      var inFlight = send(client, event("/"));
      assertThat(received.await(5, TimeUnit.SECONDS)).isTrue();
      client.close();
      assertThat(await(inFlight).result().actions()).containsExactly(fresh());
      Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> !seen.isEmpty());
      assertThat(seen.get(0)).isEqualTo(new Frame.HaproxyDisconnect(0, "normal"));
      Timed afterClose = await(send(client, event("/late")));
      assertThat(afterClose.result().error()).isEqualTo(OffloadResult.STATUS_BASE + 1);
      assertThat(afterClose.result().detail()).contains("closing");
    }
  }

  @Test
  void healthChecksFeedAvailability() throws Exception {
    AgentServer agent = sdkAgent(ECHO);
    AgentClient up = client(address(agent));
    // Down until a check passes, then up for as long as the agent answers (checks every 100 ms).
    Awaitility.await().atMost(Duration.ofSeconds(3)).until(up::available);
    assertThat(up.health()).isEqualTo(new AgentHealth(1, 1));
    Awaitility.await()
        .during(Duration.ofMillis(350))
        .atMost(Duration.ofSeconds(3))
        .until(up::available);
    // The agent stops: the next failed check takes it down.
    agent.close();
    Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> !up.available());
    assertThat(up.health()).isEqualTo(new AgentHealth(1, 0));
    // Never reachable: unknown (null) until its first check has run, then checked and down.
    AgentClient nowhere = client("127.0.0.1:1");
    Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> nowhere.health() != null);
    assertThat(nowhere.health()).isEqualTo(new AgentHealth(1, 0));
    assertThat(nowhere.available()).isFalse();
    Timed t = await(send(nowhere, event("/")));
    assertThat(t.result().error()).isEqualTo(OffloadResult.STATUS_BASE + 1);
    assertThat(t.result().detail()).contains("unreachable").contains("127.0.0.1:1");
  }

  @Test
  void aBlockedPoolLoopCannotPostponeTheDeadline() throws Exception {
    AgentClient client = client(address(sdkAgent(ECHO)));
    await(send(client, event("/warm")));
    CompletableFuture<Void> blocked = new CompletableFuture<>();
    poolLoop.execute(
        () -> {
          blocked.complete(null);
          try {
            Thread.sleep(1000); // deliberate stall: the pool loop is blocked for a second
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    blocked.get();
    Timed t = await(send(client, event("/stuck")));
    assertThat(t.result().error()).isEqualTo(OffloadResult.TIMEOUT);
  }
}
