package dev.sluice.sandbox;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import dev.sluice.testing.kubernetes.ClusterFixtures;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The storefront Deployment behind its Service, playing the ReplicaSet, the kubelet and the
 * EndpointSlice controller: each replica is a server of its own ({@link StorefrontReplica}) on an
 * address of its own, as each pod has its IP. A new replica starts listening, then its endpoint is
 * added ready. A replica being deleted (scale-down, rolling restart) first has its endpoint marked
 * {@code ready: false, serving: true, terminating: true}, as the controller writes it once the pod
 * has its deletion timestamp; it keeps serving for {@link #PRE_STOP} (the preStop sleep), then
 * stops gracefully, and its endpoint is removed once its connections are closed, as when the pod
 * object goes. Every write of the EndpointSlice is {@linkplain #writes() recorded} with the time it
 * was sent and the endpoints it wrote, so what reaches the sidecars can be timed against it.
 */
final class StorefrontReplicas implements AutoCloseable {
  static final String SERVICE = "storefront";
  static final int PORT = 8080;

  /** The cluster the operator renders the Service's port as. */
  static final String CLUSTER = ShopDemo.NS + "/" + SERVICE + ":" + ClusterFixtures.PORT_NAME;

  /** The preStop sleep: terminating replicas serve this long before they stop. */
  static final Duration PRE_STOP = Duration.ofSeconds(2);

  /** How long a stopping replica lets its connections finish before it closes them. */
  static final Duration DRAIN_DEADLINE = Duration.ofSeconds(5);

  /**
   * One write of the EndpointSlice: when it was sent ({@link System#nanoTime()}) and the endpoints
   * written, each as {@link #describe} puts it, sorted.
   */
  record SliceWrite(long sentNanos, List<String> endpoints) {}

  /** A replica and its endpoint's conditions. */
  private record Member(StorefrontReplica replica, boolean terminating) {}

  private final KubernetesClient client;
  private final SandboxNetwork network;
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ExecutorService kubelet =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "sandbox-storefront-kubelet");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, Member> members = new LinkedHashMap<>();
  private final List<SliceWrite> writes = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<Void>> terminations = new CopyOnWriteArrayList<>();
  private int started;

  /** The EndpointSlice as last written: each write names its resourceVersion, one PUT. */
  private EndpointSlice current;

  /**
   * One replica on {@code network.service(1)}, its endpoint ready in the EndpointSlice of Service
   * {@value #SERVICE} (applied from examples/shop), port {@value #PORT}.
   */
  StorefrontReplicas(KubernetesClient client, SandboxNetwork network) throws InterruptedException {
    this.client = client;
    this.network = network;
    current = client.resource(slice()).create();
    add();
  }

  /** The address of the first replica, the one the sandbox starts with. */
  String firstAddress() {
    return network.service(1) + ":" + PORT;
  }

  /** Starts one replica and adds its endpoint, ready. */
  synchronized String add() throws InterruptedException {
    int n = ++started;
    String ip = n == 1 ? network.service(1) : network.backend(n - 1);
    StorefrontReplica replica =
        new StorefrontReplica("storefront-backend-" + n, new InetSocketAddress(ip, PORT), group);
    members.put(replica.name(), new Member(replica, false));
    write();
    return replica.name();
  }

  /** Replicas whose endpoint is ready (not terminating), oldest first. */
  synchronized List<String> live() {
    return members.values().stream()
        .filter(m -> !m.terminating())
        .map(m -> m.replica().name())
        .toList();
  }

  /**
   * Scales to {@code replicas}: new ones started one after the other, {@code pause} apart (each pod
   * becomes ready on its own), or the newest ones deleted at once (one write marks them all
   * terminating).
   */
  void scaleTo(int replicas, Duration pause) throws InterruptedException {
    List<String> live = live();
    for (int i = live.size(); i < replicas; i++) {
      add();
      Thread.sleep(pause.toMillis()); // pacing: pods become ready one by one
    }
    if (live.size() > replicas) {
      delete(live.subList(replicas, live.size()));
    }
  }

  /**
   * Replaces every live replica, {@code surge} at a time as a Deployment's rolling update with that
   * maxSurge (and maxUnavailable 0) does: the new ones started and ready, then the old ones
   * deleted; {@code pause} between steps.
   */
  void rollingRestart(int surge, Duration pause) throws InterruptedException {
    List<String> old = live();
    for (int from = 0; from < old.size(); from += surge) {
      List<String> batch = old.subList(from, Math.min(old.size(), from + surge));
      for (int i = 0; i < batch.size(); i++) {
        add();
      }
      Thread.sleep(pause.toMillis()); // pacing: the rollout waits for the new pods
      delete(batch);
      Thread.sleep(pause.toMillis()); // pacing: then the next batch
    }
  }

  /**
   * Deletes {@code names} gracefully: their endpoints marked terminating in one write, each replica
   * serving through {@link #PRE_STOP}, then stopping gracefully; its endpoint goes once it stopped.
   */
  synchronized void delete(List<String> names) {
    for (String name : names) {
      members.put(name, new Member(member(name).replica(), true));
    }
    write();
    for (String name : names) {
      StorefrontReplica replica = member(name).replica();
      terminations.add(
          CompletableFuture.runAsync(
                  () -> {},
                  CompletableFuture.delayedExecutor(PRE_STOP.toMillis(), MILLISECONDS, kubelet))
              .thenCompose(preStopDone -> replica.shutdown(DRAIN_DEADLINE))
              .thenRunAsync(() -> remove(name), kubelet));
    }
  }

  /**
   * Crashes {@code name} (killed, no preStop, no drain), then removes its endpoint, as a pod
   * deleted with {@code --force --grace-period=0}.
   */
  void kill(String name) {
    StorefrontReplica replica;
    synchronized (this) {
      replica = member(name).replica();
    }
    replica.kill().join();
    remove(name);
  }

  private Member member(String name) {
    return Objects.requireNonNull(members.get(name), () -> "no replica " + name);
  }

  private synchronized void remove(String name) {
    members.remove(name);
    write();
  }

  /** Waits until every replica deleted so far has stopped and its endpoint is gone. */
  void awaitDeletions(Duration within) throws Exception {
    CompletableFuture.allOf(terminations.toArray(CompletableFuture[]::new))
        .get(within.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Every write of the EndpointSlice so far, the first (the Service's creation) included. */
  List<SliceWrite> writes() {
    return List.copyOf(writes);
  }

  /** Requests each replica answered, by name (every replica started so far). */
  synchronized long answered(String name) {
    Member m = members.get(name);
    return m == null ? -1 : m.replica().answered();
  }

  /** Writes the EndpointSlice as the members are now, recording it. Callers hold the lock. */
  private void write() {
    EndpointSlice slice = slice();
    List<String> endpoints =
        members.values().stream()
            .map(m -> describe(m.replica().endpoint(), !m.terminating(), true, m.terminating()))
            .sorted()
            .toList();
    slice.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
    long sent = System.nanoTime();
    current = client.resource(slice).update();
    writes.add(new SliceWrite(sent, endpoints));
  }

  private EndpointSlice slice() {
    List<Endpoint> endpoints = new ArrayList<>();
    for (Member m : members.values()) {
      endpoints.add(
          new EndpointBuilder()
              .withAddresses(m.replica().ip())
              .withNewConditions()
              .withReady(!m.terminating())
              .withServing(true)
              .withTerminating(m.terminating())
              .endConditions()
              .build());
    }
    endpoints.sort(Comparator.comparing(e -> e.getAddresses().get(0)));
    return new EndpointSliceBuilder(
            ClusterFixtures.endpointSlice(ShopDemo.NS, SERVICE, PORT, List.of()))
        .withEndpoints(endpoints)
        .build();
  }

  /** An endpoint and its conditions in one string, for comparing what was written and received. */
  static String describe(String address, boolean ready, boolean serving, boolean terminating) {
    return address
        + (ready ? " ready" : "")
        + (serving ? " serving" : "")
        + (terminating ? " terminating" : "");
  }

  /** Kills every replica still running (the sandbox is going away). */
  @Override
  public void close() {
    kubelet.shutdownNow();
    List<StorefrontReplica> running;
    synchronized (this) {
      running = members.values().stream().map(Member::replica).toList();
    }
    for (StorefrontReplica replica : running) {
      replica.kill().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
