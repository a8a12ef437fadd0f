package dev.sluice.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.spop.Action;
import dev.sluice.spop.Frame;
import dev.sluice.spop.Hellos;
import dev.sluice.spop.KvList;
import dev.sluice.spop.Message;
import dev.sluice.spop.Scope;
import dev.sluice.spop.SpopStatus;
import dev.sluice.spop.SpopValue;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The SDK's agent against a plain-socket client speaking SPOP byte for byte. */
class AgentServerIT {
  private static final AgentHandler ECHO_PATH =
      AgentHandler.sync(
          n -> {
            Message m = n.message("req");
            return m == null ? List.of() : List.of(Action.set(Scope.TXN, "path", m.arg("path")));
          });

  private static AgentServer start(AgentHandler handler) {
    return AgentServer.builder(handler)
        .listen(new InetSocketAddress("127.0.0.1", 0))
        .grace(Duration.ofSeconds(2))
        .start();
  }

  private static Frame.Notify notify(long stream, String path) {
    return new Frame.Notify(
        stream,
        1,
        List.of(new Message("req", List.of(new Message.Argument("path", SpopValue.of(path))))));
  }

  @Test
  void negotiatesLikeHaproxyExpectsAndAnswersNotify() throws Exception {
    try (AgentServer agent = start(ECHO_PATH);
        BlockingSpopClient client = new BlockingSpopClient(agent.localAddress())) {
      client.send(
          new Frame.HaproxyHello(
              KvList.builder()
                  .put("supported-versions", SpopValue.of("2.0"))
                  .put("max-frame-size", new SpopValue.Uint32(16380))
                  .put("capabilities", SpopValue.of("pipelining,async"))
                  .put("engine-id", SpopValue.of("e1"))
                  .build()));
      Frame.AgentHello hello = (Frame.AgentHello) client.read();
      assertThat(hello.items().get("version")).isEqualTo(SpopValue.of("2.0"));
      assertThat(hello.items().get("max-frame-size")).isEqualTo(new SpopValue.Uint32(16380));
      // async is not implemented, so only pipelining is agreed
      assertThat(Hellos.capabilities(hello.items())).containsExactly("pipelining");
      client.send(notify(7, "/a"));
      assertThat(client.read())
          .isEqualTo(
              new Frame.Ack(7, 1, List.of(Action.set(Scope.TXN, "path", SpopValue.of("/a")))));
      client.send(new Frame.Notify(9, 2, List.of()));
      assertThat(client.read()).isEqualTo(new Frame.Ack(9, 2, List.of()));
    }
  }

  @Test
  void theFrameSizeIsTheSmallerOfBothOffers() throws Exception {
    AgentHandler twice =
        AgentHandler.sync(
            n -> {
              SpopValue path = n.message("req").arg("path");
              return List.of(Action.set(Scope.TXN, "a", path), Action.set(Scope.TXN, "b", path));
            });
    try (AgentServer agent =
            AgentServer.builder(twice)
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .maxFrameSize(1024)
                .start();
        BlockingSpopClient client = new BlockingSpopClient(agent.localAddress())) {
      client.send(Hellos.client(16380, true, "e"));
      Frame.AgentHello hello = (Frame.AgentHello) client.read();
      assertThat(Hellos.maxFrameSize(hello.items())).isEqualTo(1024L);
      client.send(notify(1, "x".repeat(100)));
      assertThat(((Frame.Ack) client.read()).actions()).hasSize(2);
      // an ACK that would not fit goes out without its actions rather than not at all
      client.send(notify(3, "x".repeat(600)));
      assertThat(client.read()).isEqualTo(new Frame.Ack(3, 1, List.of()));
      // a frame over the negotiated size ends the connection with status 3
      client.send(notify(5, "y".repeat(2000)));
      Frame.AgentDisconnect bye = (Frame.AgentDisconnect) client.read();
      assertThat(bye.status()).isEqualTo(SpopStatus.FRAME_TOO_BIG);
      assertThat(bye.message()).startsWith("frame of ").endsWith("exceeds the max-frame-size 1024");
      assertThat(client.closedByPeer()).isTrue();
    }
  }

  @Test
  void refusesHellosHaproxyWouldRefuse() throws Exception {
    Map<KvList, Integer> cases = new HashMap<>();
    cases.put(
        KvList.builder()
            .put("supported-versions", SpopValue.of("2.1"))
            .put("max-frame-size", new SpopValue.Uint32(16380))
            .build(),
        SpopStatus.UNSUPPORTED_VERSION);
    cases.put(
        KvList.builder().put("max-frame-size", new SpopValue.Uint32(16380)).build(),
        SpopStatus.NO_VERSION);
    cases.put(
        KvList.builder().put("supported-versions", SpopValue.of("2.0")).build(),
        SpopStatus.NO_MAX_FRAME_SIZE);
    cases.put(
        KvList.builder()
            .put("supported-versions", SpopValue.of("1.0, 2.0"))
            .put("max-frame-size", new SpopValue.Uint32(100))
            .build(),
        SpopStatus.BAD_MAX_FRAME_SIZE);
    try (AgentServer agent = start(ECHO_PATH)) {
      for (Map.Entry<KvList, Integer> c : cases.entrySet()) {
        try (BlockingSpopClient client = new BlockingSpopClient(agent.localAddress())) {
          client.send(new Frame.HaproxyHello(c.getKey()));
          Frame.AgentDisconnect bye = (Frame.AgentDisconnect) client.read();
          assertThat(bye.status()).as("%s", c.getKey()).isEqualTo(c.getValue());
          assertThat(bye.message()).isNotBlank();
          assertThat(client.closedByPeer()).isTrue();
        }
      }
    }
  }

  @Test
  void aHealthCheckGetsItsHelloAndTheConnectionCloses() throws Exception {
    try (AgentServer agent = start(ECHO_PATH);
        BlockingSpopClient client = new BlockingSpopClient(agent.localAddress())) {
      client.send(Hellos.healthCheck(16380));
      Frame.AgentHello hello = (Frame.AgentHello) client.read();
      assertThat(Hellos.capabilities(hello.items())).isEmpty();
      assertThat(client.closedByPeer()).isTrue();
    }
  }

  @Test
  void pipelinedNotifiesAreAnsweredAsTheirHandlersFinish() throws Exception {
    Map<String, CompletableFuture<List<Action>>> pending = new ConcurrentHashMap<>();
    AgentHandler parked =
        n -> {
          String path = n.message("req").arg("path").asText();
          return pending.computeIfAbsent(path, p -> new CompletableFuture<>());
        };
    try (AgentServer agent = start(parked);
        BlockingSpopClient client = new BlockingSpopClient(agent.localAddress())) {
      client.send(Hellos.client(16380, true, "e"));
      client.read();
      for (int i = 1; i <= 5; i++) {
        client.send(notify(2L * i + 1, "/" + i));
      }
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> pending.size() == 5);
      List<Long> order = List.of(9L, 3L, 11L, 5L, 7L);
      List<Long> acked = new ArrayList<>();
      for (long stream : order) {
        String path = "/" + (stream - 1) / 2;
        pending.get(path).complete(List.of(Action.unset(Scope.REQ, "p" + path.substring(1))));
        Frame.Ack ack = (Frame.Ack) client.read();
        assertThat(ack.actions()).containsExactly(Action.unset(Scope.REQ, "p" + path.substring(1)));
        acked.add(ack.streamId());
      }
      assertThat(acked).isEqualTo(order);
    }
  }

  @Test
  void aFailingHandlerIsAnsweredWithAnEmptyAck() throws Exception {
    AgentHandler broken =
        AgentHandler.sync(
            n -> {
              throw new IllegalStateException("boom");
            });
    try (AgentServer agent = start(broken);
        BlockingSpopClient client = new BlockingSpopClient(agent.localAddress())) {
      client.send(Hellos.client(16380, true, "e"));
      client.read();
      client.send(notify(1, "/"));
      assertThat(client.read()).isEqualTo(new Frame.Ack(1, 1, List.of()));
    }
  }

  @Test
  void clientDisconnectIsAnsweredThenClosed() throws Exception {
    try (AgentServer agent = start(ECHO_PATH);
        BlockingSpopClient client = new BlockingSpopClient(agent.localAddress())) {
      client.send(Hellos.client(16380, true, "e"));
      client.read();
      client.send(new Frame.HaproxyDisconnect(0, "normal"));
      assertThat(client.read()).isEqualTo(new Frame.AgentDisconnect(0, "normal"));
      assertThat(client.closedByPeer()).isTrue();
    }
  }

  @Test
  void protocolErrorsEndTheConnectionWithTheirStatus() throws Exception {
    try (AgentServer agent = start(ECHO_PATH)) {
      try (BlockingSpopClient client = new BlockingSpopClient(agent.localAddress())) {
        client.send(notify(1, "/")); // NOTIFY before HELLO
        Frame.AgentDisconnect bye = (Frame.AgentDisconnect) client.read();
        assertThat(bye.status()).isEqualTo(SpopStatus.INVALID_FRAME);
        assertThat(bye.message()).isEqualTo("unexpected Notify while AWAITING_HELLO");
      }
      try (BlockingSpopClient client = new BlockingSpopClient(agent.localAddress())) {
        client.send(Hellos.client(16380, true, "e"));
        client.read();
        // a NOTIFY fragment (FIN clear)
        client.sendRaw(new byte[] {0, 0, 0, 7, 3, 0, 0, 0, 0, 1, 1});
        Frame.AgentDisconnect bye = (Frame.AgentDisconnect) client.read();
        assertThat(bye.status()).isEqualTo(SpopStatus.FRAGMENTATION_NOT_SUPPORTED);
        assertThat(client.closedByPeer()).isTrue();
      }
    }
  }

  @Test
  void closeLetsNotifiesInProgressFinishThenSaysGoodbye() throws Exception {
    CompletableFuture<List<Action>> slow = new CompletableFuture<>();
    java.util.concurrent.CountDownLatch handling = new java.util.concurrent.CountDownLatch(1);
    AgentServer agent =
        start(
            n -> {
              handling.countDown();
              return slow;
            });
    try (BlockingSpopClient client = new BlockingSpopClient(agent.localAddress())) {
      client.send(Hellos.client(16380, true, "e"));
      client.read();
      client.send(notify(1, "/"));
      assertThat(handling.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      int port = agent.localAddress().getPort();
      assertThat(accepts(port)).isTrue();
      Thread closer = new Thread(agent::close);
      closer.start();
      // close() has begun (the listener is gone) and waits for the NOTIFY in progress
      org.awaitility.Awaitility.await("the listener closed")
          .atMost(Duration.ofSeconds(5))
          .until(() -> !accepts(port));
      org.awaitility.Awaitility.await("close() still waiting for the answer")
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(2))
          .until(closer::isAlive);
      slow.complete(List.of(Action.set(Scope.TXN, "done", SpopValue.of(true))));
      assertThat(client.read())
          .isEqualTo(
              new Frame.Ack(1, 1, List.of(Action.set(Scope.TXN, "done", SpopValue.of(true)))));
      assertThat(client.read()).isEqualTo(new Frame.AgentDisconnect(0, "normal"));
      closer.join(5000);
      assertThat(closer.isAlive()).isFalse();
    }
  }

  private static boolean accepts(int port) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
