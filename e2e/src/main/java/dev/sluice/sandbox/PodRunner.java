package dev.sluice.sandbox;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.operator.certs.Certificates;
import dev.sluice.operator.inject.AdmissionWebhook;
import dev.sluice.sidecar.Sidecar;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.reload.ConfigServiceClient;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.zjsonpatch.JsonPatch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Plays the API server's admission step and the kubelet for the sandbox: a pod is sent through the
 * operator's webhook over HTTPS (as the API server would), created with the patch applied, given a
 * loopback address, and, when the webhook added the sidecar, its sidecar is started for real in
 * this process: it fetches its config from the operator's config service with the pod's own token
 * and CA bundle (files, as the projected volumes would hold them), reports back and follows every
 * change, like the injected container.
 */
final class PodRunner implements AutoCloseable {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /** A running pod: its address and, when injected, its sidecar. */
  record RunningPod(String namespace, String name, String ip, @Nullable Sidecar sidecar) {}

  /** The config-service client of each pod's sidecar, by pod name. */
  private final Map<String, ConfigServiceClient> following = new ConcurrentHashMap<>();

  private final Map<String, URI> bases = new ConcurrentHashMap<>();

  private final EmbeddedKubernetes kubernetes;
  private final SandboxNetwork network;
  private final KubernetesClient client;
  private final URI webhook;
  private final HttpClient https;
  private final Supplier<String> caBundle;
  private final Path work;
  private final List<RunningPod> pods = new CopyOnWriteArrayList<>();
  private int nextIp = 1;

  PodRunner(
      EmbeddedKubernetes kubernetes,
      URI webhook,
      Supplier<String> caBundle,
      Path work,
      SandboxNetwork network) {
    this.network = network;
    this.kubernetes = kubernetes;
    this.client = kubernetes.client();
    this.webhook = webhook;
    this.caBundle = caBundle;
    this.work = work;
    this.https =
        HttpClient.newBuilder()
            .sslContext(Certificates.trusting(caBundle.get()))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  List<RunningPod> pods() {
    return List.copyOf(pods);
  }

  /** Admits, creates and runs {@code pod}. */
  RunningPod run(Pod pod) throws Exception {
    Pod admitted = admit(pod);
    Pod created = client.resource(admitted).create();
    String ip = network.pod(nextIp++);
    String namespace = created.getMetadata().getNamespace();
    String name = created.getMetadata().getName();
    markRunning(namespace, name, ip);
    Container sidecar = sidecarOf(created);
    Sidecar running = sidecar == null ? null : startSidecar(created, sidecar, ip);
    RunningPod result = new RunningPod(namespace, name, ip, running);
    pods.add(result);
    return result;
  }

  /**
   * What the kubelet reports once the containers run: phase, pod IP, Ready. The operator may be
   * patching the pod at the same moment (its assignment); a conflict is read again and retried.
   */
  private void markRunning(String namespace, String name, String ip) {
    for (int attempt = 1; ; attempt++) {
      try {
        client
            .pods()
            .inNamespace(namespace)
            .withName(name)
            .editStatus(
                p -> {
                  p.setStatus(
                      new PodStatusBuilder()
                          .withPhase("Running")
                          .withPodIP(ip)
                          .addNewCondition()
                          .withType("Ready")
                          .withStatus("True")
                          .withLastTransitionTime(Instant.now().toString())
                          .endCondition()
                          .build());
                  return p;
                });
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 20) {
          throw e;
        }
      }
    }
  }

  private Pod admit(Pod pod) throws Exception {
    String review =
        AdmissionWebhook.reviewOfCreate(pod, java.util.UUID.randomUUID().toString(), false);
    HttpResponse<String> answer =
        https.send(
            HttpRequest.newBuilder(webhook)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(review))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (answer.statusCode() != 200) {
      throw new IllegalStateException(
          "webhook answered " + answer.statusCode() + ": " + answer.body());
    }
    JsonNode response = JSON.readTree(answer.body()).path("response");
    if (!response.has("patch")) {
      return pod;
    }
    JsonNode patch = JSON.readTree(Base64.getDecoder().decode(response.get("patch").asText()));
    return JSON.treeToValue(JsonPatch.apply(patch, JSON.valueToTree(pod)), Pod.class);
  }

  private static @Nullable Container sidecarOf(Pod pod) {
    List<Container> all = new ArrayList<>();
    if (pod.getSpec().getInitContainers() != null) {
      all.addAll(pod.getSpec().getInitContainers());
    }
    all.addAll(pod.getSpec().getContainers());
    return all.stream().filter(c -> c.getName().equals("sluice-sidecar")).findFirst().orElse(null);
  }

  /** Starts the sidecar the way the injected container's arguments say. */
  private Sidecar startSidecar(Pod pod, Container container, String ip) throws Exception {
    String namespace = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    Path dir = Files.createDirectories(work.resolve("pods").resolve(namespace + "-" + name));
    Path token =
        Files.writeString(
            dir.resolve("token"),
            kubernetes.issueToken(namespace, name, pod.getMetadata().getUid()));
    Path ca = Files.writeString(dir.resolve("ca.crt"), caBundle.get());
    List<String> args = container.getArgs();
    String base =
        args.get(args.indexOf("--config-service") + 1)
            .replace("$(POD_NAMESPACE)", namespace)
            .replace("$(POD_NAME)", name);
    ConfigServiceClient service =
        new ConfigServiceClient(URI.create(base), token, ca)
            .cacheIn(dir.resolve("last-applied.json"));
    SidecarConfig first = PodNetwork.bindTo(service.first(Duration.ofMinutes(1)), ip);
    Sidecar sidecar = new Sidecar(1).start(first);
    follow(name, service, sidecar, ip);
    bases.put(name, URI.create(base));
    return sidecar;
  }

  private void follow(String pod, ConfigServiceClient service, Sidecar sidecar, String ip) {
    service.start(
        PodNetwork.boundTo(sidecar, ip),
        () -> sidecar.generation() == null ? "" : sidecar.generation().revision());
    following.put(pod, service);
  }

  /** Stops {@code pod}'s sidecar from following the config service (it keeps serving). */
  void pause(String pod) {
    ConfigServiceClient service = following.remove(pod);
    if (service != null) {
      service.close();
    }
  }

  /** Lets {@code pod}'s sidecar follow the config service again. */
  void resume(String pod) {
    RunningPod running = pods.stream().filter(p -> p.name().equals(pod)).findFirst().orElseThrow();
    Path dir = work.resolve("pods").resolve(running.namespace() + "-" + pod);
    ConfigServiceClient service =
        new ConfigServiceClient(
                requireNonNull(bases.get(pod), "only a pod with a sidecar follows"),
                dir.resolve("token"),
                dir.resolve("ca.crt"))
            .cacheIn(dir.resolve("last-applied.json"));
    follow(
        pod,
        service,
        requireNonNull(running.sidecar(), "only a pod with a sidecar follows"),
        running.ip());
  }

  @Override
  public void close() {
    following.values().forEach(ConfigServiceClient::close);
    for (RunningPod pod : pods) {
      if (pod.sidecar() != null) {
        pod.sidecar().close();
      }
    }
  }
}
