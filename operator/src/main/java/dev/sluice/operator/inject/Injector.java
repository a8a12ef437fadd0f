package dev.sluice.operator.inject;

import dev.sluice.api.Labels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Injection as a pure function: a Pod (and its namespace's labels) in, the Pod to admit out. Opt-in
 * by namespace label {@code sluice.dev/inject=enabled} or pod label {@code sluice.dev/inject:
 * "true"}; pod label {@code "false"} opts out. Idempotent: an injected pod comes back unchanged.
 * The sidecar is a native sidecar (init container with {@code restartPolicy: Always}, so it starts
 * before and stops after the app) where the cluster supports it, a regular first container
 * otherwise; it learns its identity from the downward API, authenticates with a projected
 * ServiceAccount token (audience {@code sluice}), and keeps its last applied config in an emptyDir
 * so a container restart starts with it. When asked ({@link InjectionSettings#scrapeAnnotations}),
 * the pod is annotated for annotation-based Prometheus scraping ({@link ScrapeAnnotations}).
 */
public final class Injector {
  public static final String CONTAINER = "sluice-sidecar";
  static final String TOKEN_AUDIENCE = "sluice";
  static final int ADMIN_PORT = 10090;
  static final String TOKEN_DIR = "/var/run/sluice/token";
  static final String CA_DIR = "/var/run/sluice/ca";
  static final String CACHE_DIR = "/var/run/sluice/cache";

  /** Where {@code kubectl logs} and {@code exec} go when no container is named. */
  static final String DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container";

  /** The sidecar's CPU request in whole cores, rounded up (downward API): its I/O threads. */
  static final String CPU_ENV = "SLUICE_CPU_REQUEST";

  /**
   * Options the {@code java} launcher adds to the image's: the JVM sizes itself (the common pool,
   * Netty's allocator, compiler ergonomics) by the sidecar's CPU request rather than the node's
   * cores, which it would see without a CPU limit.
   */
  static final String JVM_OPTIONS_ENV = "JDK_JAVA_OPTIONS";

  private Injector() {}

  static InjectionResult inject(
      Pod pod, Map<String, String> namespaceLabels, InjectionSettings settings) {
    Map<String, String> labels =
        pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    Map<String, String> annotations =
        pod.getMetadata().getAnnotations() == null ? Map.of() : pod.getMetadata().getAnnotations();
    String podChoice = labels.get(Labels.INJECT);
    if ("false".equals(podChoice)) {
      return InjectionResult.skipped(pod, "pod label " + Labels.INJECT + "=false opts out");
    }
    boolean namespaceOptIn =
        Labels.INJECT_NAMESPACE_ENABLED.equals(
            namespaceLabels == null ? null : namespaceLabels.get(Labels.INJECT));
    if (!"true".equals(podChoice) && !namespaceOptIn) {
      return InjectionResult.skipped(
          pod,
          "neither namespace label "
              + Labels.INJECT
              + "=enabled nor pod label "
              + Labels.INJECT
              + "=true");
    }
    if (annotations.containsKey(Labels.INJECTED) || hasSidecar(pod)) {
      return InjectionResult.skipped(pod, "already injected");
    }
    if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
      return InjectionResult.skipped(
          pod, "hostNetwork pods share the node's ports; a sidecar listener could collide");
    }
    Container sidecar = sidecar(annotations, settings);
    PodBuilder out = new PodBuilder(pod);
    out.editMetadata()
        .addToAnnotations(Labels.INJECTED, settings.version())
        .addToLabels(Labels.SIDECAR, "true")
        .endMetadata();
    if (settings.nativeSidecars()) {
      List<Container> init = new ArrayList<>();
      init.add(new ContainerBuilder(sidecar).withRestartPolicy("Always").build());
      if (pod.getSpec().getInitContainers() != null) {
        init.addAll(pod.getSpec().getInitContainers());
      }
      out.editSpec().withInitContainers(init).endSpec();
    } else {
      List<Container> containers = new ArrayList<>();
      containers.add(sidecar);
      containers.addAll(pod.getSpec().getContainers());
      out.editSpec().withContainers(containers).endSpec();
      // The sidecar is now the first container: kubectl would pick it for logs and exec.
      if (!annotations.containsKey(DEFAULT_CONTAINER)) {
        out.editMetadata()
            .addToAnnotations(DEFAULT_CONTAINER, pod.getSpec().getContainers().get(0).getName())
            .endMetadata();
      }
    }
    out.editSpec().addAllToVolumes(volumes(settings)).endSpec();
    String note = settings.scrapeAnnotations() ? annotateForScraping(out, annotations) : null;
    return new InjectionResult(out.build(), true, null, note);
  }

  /** Adds the {@link ScrapeAnnotations}; what it left as the pod had it, when it did. */
  private static @Nullable String annotateForScraping(
      PodBuilder out, Map<String, String> annotations) {
    ScrapeAnnotations.Decision scrape = ScrapeAnnotations.forPod(annotations, ADMIN_PORT);
    out.editMetadata().addToAnnotations(scrape.add()).endMetadata();
    return scrape.note();
  }

  private static boolean hasSidecar(Pod pod) {
    List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
    if (pod.getSpec().getInitContainers() != null) {
      all.addAll(pod.getSpec().getInitContainers());
    }
    return all.stream().anyMatch(c -> CONTAINER.equals(c.getName()));
  }

  private static Container sidecar(Map<String, String> annotations, InjectionSettings settings) {
    String image = annotations.getOrDefault(Labels.SIDECAR_IMAGE, settings.image());
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(image)
        .withArgs(args(settings))
        .withEnv(env())
        .addNewPort()
        .withName("sluice-admin")
        .withContainerPort(ADMIN_PORT)
        .endPort()
        .withStartupProbe(probe("/ready", 1, 120))
        .withReadinessProbe(probe("/ready", 5, 3))
        .withLivenessProbe(probe("/live", 10, 3))
        .withNewResources()
        .addToRequests(
            "cpu",
            new Quantity(
                annotations.getOrDefault(Labels.SIDECAR_CPU_REQUEST, settings.cpuRequest())))
        .addToRequests(
            "memory",
            new Quantity(
                annotations.getOrDefault(Labels.SIDECAR_MEMORY_REQUEST, settings.memoryRequest())))
        .addToLimits(
            "memory",
            new Quantity(
                annotations.getOrDefault(Labels.SIDECAR_MEMORY_LIMIT, settings.memoryLimit())))
        .endResources()
        .withVolumeMounts(mounts())
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true)
        .withNewCapabilities()
        .addToDrop("ALL")
        .endCapabilities()
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .build();
  }

  private static List<String> args(InjectionSettings settings) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--config-service",
                settings.configServiceUrl() + "/v1/pods/$(POD_NAMESPACE)/$(POD_NAME)",
                "--config-service-ca",
                CA_DIR + "/ca.crt",
                "--token-file",
                TOKEN_DIR + "/token",
                "--config-cache",
                CACHE_DIR + "/last-applied.json",
                "--access-log",
                settings.accessLog().flag()));
    args.addAll(settings.tracing().sidecarArgs());
    // The JVM sizes by CPU limit, never by request: without a limit it would run one I/O thread
    // per node core.
    args.addAll(List.of("--threads", "$(" + CPU_ENV + ")"));
    return args;
  }

  private static List<EnvVar> env() {
    return List.of(
        field("POD_NAME", "metadata.name"),
        field("POD_NAMESPACE", "metadata.namespace"),
        field("POD_IP", "status.podIP"),
        new EnvVarBuilder()
            .withName(CPU_ENV)
            .withNewValueFrom()
            .withNewResourceFieldRef()
            .withResource("requests.cpu")
            .withDivisor(new Quantity("1"))
            .endResourceFieldRef()
            .endValueFrom()
            .build(),
        // $(VAR) refers to a variable defined before it in the same container
        new EnvVarBuilder()
            .withName(JVM_OPTIONS_ENV)
            .withValue("-XX:ActiveProcessorCount=$(" + CPU_ENV + ")")
            .build());
  }

  private static EnvVar field(String name, String path) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath(path)
        .endFieldRef()
        .endValueFrom()
        .build();
  }

  private static Probe probe(String path, int period, int failures) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withNewPort(ADMIN_PORT)
        .endHttpGet()
        .withPeriodSeconds(period)
        .withFailureThreshold(failures)
        .build();
  }

  private static List<VolumeMount> mounts() {
    return List.of(
        new VolumeMountBuilder()
            .withName("sluice-token")
            .withMountPath(TOKEN_DIR)
            .withReadOnly(true)
            .build(),
        new VolumeMountBuilder()
            .withName("sluice-ca")
            .withMountPath(CA_DIR)
            .withReadOnly(true)
            .build(),
        new VolumeMountBuilder().withName("sluice-cache").withMountPath(CACHE_DIR).build(),
        // The root filesystem is read-only; the JVM and Netty's native transport need a /tmp.
        new VolumeMountBuilder().withName("sluice-tmp").withMountPath("/tmp").build());
  }

  private static List<Volume> volumes(InjectionSettings settings) {
    return List.of(
        new VolumeBuilder()
            .withName("sluice-token")
            .withNewProjected()
            .addNewSource()
            .withNewServiceAccountToken()
            .withAudience(TOKEN_AUDIENCE)
            .withExpirationSeconds(3600L)
            .withPath("token")
            .endServiceAccountToken()
            .endSource()
            .endProjected()
            .build(),
        new VolumeBuilder()
            .withName("sluice-ca")
            .withNewConfigMap()
            .withName(settings.caConfigMap())
            .endConfigMap()
            .build(),
        new VolumeBuilder().withName("sluice-cache").withNewEmptyDir().endEmptyDir().build(),
        new VolumeBuilder().withName("sluice-tmp").withNewEmptyDir().endEmptyDir().build());
  }
}
