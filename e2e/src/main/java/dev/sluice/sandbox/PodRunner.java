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
import dev.sluice.sidecar.reload.EndpointsClient;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.zjsonpatch.JsonPatch;
import java.math.BigDecimal;
import java.math.RoundingMode;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  private final Map<String, EndpointsClient> endpointFeeds = new ConcurrentHashMap<>();

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
  private volatile Duration reloadTime = Duration.ZERO;

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
    List<String> args = kubeletExpanded(container, pod, ip);
    String base = args.get(args.indexOf("--config-service") + 1);
    int threads = Integer.parseInt(args.get(args.indexOf("--threads") + 1));
    ConfigServiceClient service =
        new ConfigServiceClient(URI.create(base), token, ca)
            .cacheIn(dir.resolve("last-applied.json"));
    SidecarConfig first = PodNetwork.bindTo(service.first(Duration.ofMinutes(1)), ip);
    Sidecar sidecar = new Sidecar(threads);
    // As the sidecar's main does: the endpoints of the clusters the config names before binding,
    // then their long-poll, for as long as the pod runs.
    EndpointsClient endpoints =
        new EndpointsClient(
            service, sidecar.endpoints(), sidecar.metrics(), dir.resolve("last-applied.json"));
    if (!first.clusterNames().isEmpty()) {
      endpoints.first(Duration.ofSeconds(10));
    }
    sidecar.start(first);
    endpointFeeds.put(name, endpoints.start());
    follow(name, service, sidecar, ip);
    bases.put(name, URI.create(base));
    return sidecar;
  }

  /**
   * The container's arguments as the kubelet expands them: each {@code $(NAME)} replaced by the
   * container's env var of that name, read from the downward API as it would be (pod name,
   * namespace and IP; a resource request in the divisor's units, rounded up). A reference the
   * container does not define is an error here, not left in place as the kubelet would.
   */
  private static List<String> kubeletExpanded(Container container, Pod pod, String ip) {
    Map<String, String> values = new HashMap<>();
    for (EnvVar env : container.getEnv()) {
      values.put(env.getName(), downward(env, container, pod, ip));
    }
    List<String> expanded = new ArrayList<>();
    for (String arg : container.getArgs()) {
      Matcher reference = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)").matcher(arg);
      StringBuilder out = new StringBuilder();
      while (reference.find()) {
        String value = values.get(reference.group(1));
        if (value == null) {
          throw new IllegalStateException(
              "injected argument " + arg + " names $(" + reference.group(1) + "), not defined");
        }
        reference.appendReplacement(out, Matcher.quoteReplacement(value));
      }
      reference.appendTail(out);
      expanded.add(out.toString());
    }
    return expanded;
  }

  private static String downward(EnvVar env, Container container, Pod pod, String ip) {
    if (env.getValue() != null) {
      return env.getValue();
    }
    var from = requireNonNull(env.getValueFrom(), "an env var has a value or a source");
    if (from.getFieldRef() != null) {
      return switch (from.getFieldRef().getFieldPath()) {
        case "metadata.name" -> pod.getMetadata().getName();
        case "metadata.namespace" -> pod.getMetadata().getNamespace();
        case "status.podIP" -> ip;
        default ->
            throw new IllegalStateException("downward field " + from.getFieldRef().getFieldPath());
      };
    }
    var resource = requireNonNull(from.getResourceFieldRef(), "a field or a resource");
    String[] kind = resource.getResource().split("\\.", 2); // requests.cpu
    Quantity amount =
        (kind[0].equals("requests")
                ? container.getResources().getRequests()
                : container.getResources().getLimits())
            .get(kind[1]);
    BigDecimal divisor =
        resource.getDivisor() == null
            ? BigDecimal.ONE
            : Quantity.getAmountInBytes(resource.getDivisor());
    return Quantity.getAmountInBytes(requireNonNull(amount, resource.getResource()))
        .divide(divisor, 0, RoundingMode.CEILING)
        .toPlainString();
  }

  /**
   * Makes every sidecar's reloads take at least {@code atLeast} from now on (zero: as fast as they
   * go), so a rollout's batches take that long; endpoint updates are no reload and are not slowed.
   */
  void slowReloads(Duration atLeast) {
    reloadTime = atLeast;
  }

  private void follow(String pod, ConfigServiceClient service, Sidecar sidecar, String ip) {
    service.start(
        PodNetwork.boundTo(sidecar, ip, () -> reloadTime),
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
    endpointFeeds.values().forEach(EndpointsClient::close);
    for (RunningPod pod : pods) {
      if (pod.sidecar() != null) {
        pod.sidecar().close();
      }
    }
  }
}
