package dev.sluice.sidecar.offload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.ClusterEndpoints;
import dev.sluice.sidecar.config.Endpoint;
import dev.sluice.sidecar.runtime.Generation;
import dev.sluice.sidecar.testing.NamedUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import dev.sluice.sidecar.testing.ScriptedAgent;
import dev.sluice.spop.Action;
import dev.sluice.spop.Frame;
import dev.sluice.spop.Scope;
import dev.sluice.spop.SpopValue;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invariant: an agent that names a cluster follows its endpoints without a reload — requests keep
 * being offloaded while the cluster goes from A to A+B to B, a new endpoint takes connections at
 * once, a removed one takes no new event while the event in flight on it still gets its answer (its
 * connections close after), and a cluster without endpoints is the agent's failure, naming the
 * cluster, under its failure policy.
 */
class AgentClusterIT {
  private static final String CLUSTER = "shop/waf:spop";

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private RunningSidecar sidecar;

  /** One scripted agent instance: answers {@code txn.waf.by = <name>}, holds "/wait" events. */
  private static final class Instance {
    final String name;
    final AtomicInteger events = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    final CountDownLatch holding = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final ScriptedAgent agent;

    Instance(String name) throws IOException {
      this.name = name;
      this.agent = new ScriptedAgent(this::serve);
    }

    private void serve(ScriptedAgent.Peer peer, Frame.HaproxyHello hello)
        throws IOException, InterruptedException {
      peer.helloBack(16380);
      try {
        while (true) {
          if (!(peer.read() instanceof Frame.Notify notify)) {
            continue; // HAPROXY-DISCONNECT: the sidecar closes the connection next
          }
          events.incrementAndGet();
          String path = notify.messages().get(0).arg("path").asText();
          if (path.startsWith("/wait")) {
            holding.countDown();
            release.await(10, TimeUnit.SECONDS);
          } else if (path.startsWith("/slow")) {
            // Slow enough that concurrent events need more connections than this one.
            Thread.sleep(200); // scripted peer: answers late on purpose
          }
          peer.send(
              new Frame.Ack(
                  notify.streamId(),
                  notify.frameId(),
                  List.of(Action.set(Scope.TXN, "by", SpopValue.of(name)))));
        }
      } finally {
        closed.incrementAndGet();
      }
    }

    Endpoint ready() {
      return Endpoint.ready(agent.address());
    }
  }

  @BeforeEach
  void start() throws Exception {
    NamedUpstream upstream = new NamedUpstream("up", false);
    closeables.add(upstream);
    sidecar =
        new RunningSidecar(
            """
            version: 1
            admin: {address: 127.0.0.1:0}
            listeners: [{name: http, address: 127.0.0.1:0}]
            rules:
              - name: r
                listener: http
                upstream: {endpoints: [%s]}
                offload: [{agent: waf}]
                actions:
                  - setResponseHeader: {name: X-Agent, fromVariable: txn.waf.by}
            agents:
              - name: waf
                cluster: "%s"
                pipelining: false
                timeouts: {processing: 5s}
                messages: [{name: check, args: [{name: path, value: path}]}]
                failurePolicy: Deny
            """
                .formatted(upstream.address(), CLUSTER));
  }

  @AfterEach
  void stop() throws Exception {
    if (sidecar != null) {
      sidecar.close();
    }
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private Instance instance(String name) throws IOException {
    Instance instance = new Instance(name);
    closeables.add(instance.agent);
    return instance;
  }

  private void apply(Endpoint... endpoints) {
    sidecar
        .sidecar()
        .endpoints()
        .apply(new ClusterEndpoints(null, Map.of(CLUSTER, List.of(endpoints))));
  }

  private CompletableFuture<HttpResponse<String>> get(String path) {
    return client.sendAsync(
        HttpRequest.newBuilder(URI.create(sidecar.url(path)))
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The agent that offloaded {@code path}, after checking the request went through. */
  private String offloadedBy(String path) throws Exception {
    HttpResponse<String> response = get(path).get(20, TimeUnit.SECONDS);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.headers().firstValue("x-agent").orElse("(none)");
  }

  @Test
  void anAgentClusterGoesFromAToAPlusBToBWithoutAReloadOrALostEvent() throws Exception {
    Generation generation = sidecar.sidecar().generation();
    HttpResponse<String> unknown = get("/x").get(20, TimeUnit.SECONDS);
    assertThat(unknown.statusCode()).isEqualTo(503);
    assertThat(unknown.body()).contains("cluster " + CLUSTER + " is not known yet");

    Instance a = instance("a");
    Instance b = instance("b");
    apply(a.ready());
    assertThat(offloadedBy("/x")).isEqualTo("a");

    CompletableFuture<HttpResponse<String>> held = get("/wait");
    assertThat(a.holding.await(10, TimeUnit.SECONDS)).as("the event in flight on A").isTrue();

    apply(a.ready(), b.ready());
    List<CompletableFuture<HttpResponse<String>>> concurrent = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      concurrent.add(get("/slow/" + i));
    }
    List<String> by = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> response : concurrent) {
      HttpResponse<String> r = response.get(20, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      by.add(r.headers().firstValue("x-agent").orElse("(none)"));
    }
    assertThat(by).as("B takes connections at once, A still does").contains("a", "b");
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(generation.agentHealth()).containsEntry("waf", health(2)));

    apply(b.ready());
    int eventsOnA = a.events.get();
    for (int i = 0; i < 10; i++) {
      assertThat(offloadedBy("/after/" + i)).isEqualTo("b");
    }
    assertThat(a.events.get()).as("no new event to the removed endpoint").isEqualTo(eventsOnA);
    assertThat(held).as("the event in flight on A still waits for its answer").isNotDone();
    a.release.countDown();
    HttpResponse<String> answered = held.get(10, TimeUnit.SECONDS);
    assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
    assertThat(answered.headers().firstValue("x-agent")).as("answered by A").contains("a");
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(a.closed.get())
                    .as("A's connections closed")
                    .isEqualTo(a.agent.connections()));
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(generation.agentHealth()).containsEntry("waf", health(1)));
    String config = adminGet("/config");
    assertThat(config)
        .contains("\"cluster\":\"" + CLUSTER + "\"")
        .contains("\"address\":\"" + b.agent.address() + "\"")
        .doesNotContain("\"address\":\"" + a.agent.address() + "\"");

    apply();
    HttpResponse<String> none = get("/x").get(20, TimeUnit.SECONDS);
    assertThat(none.statusCode()).isEqualTo(503);
    assertThat(none.body())
        .contains("offload agent waf failed")
        .contains("cluster " + CLUSTER + " has no endpoint");
    assertThat(generation.agentHealth()).containsEntry("waf", new AgentHealth(0, 0));
    assertThat(sidecar.sidecar().metrics().registry().scrape())
        .contains("sluice_agent_available{agent=\"waf\"} 0.0");
    assertThat(sidecar.sidecar().generation()).as("no reload").isSameAs(generation);
  }

  private static AgentHealth health(int endpoints) {
    return new AgentHealth(endpoints, endpoints);
  }

  private String adminGet(String path) throws Exception {
    return client
        .send(
            HttpRequest.newBuilder(URI.create(sidecar.adminUrl(path))).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
