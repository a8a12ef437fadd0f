package dev.sluice.operator.inject;

/**
 * How the webhook injects sidecars.
 *
 * @param image the sidecar image
 * @param configServiceUrl the operator's config service base, e.g. {@code
 *     https://sluice-operator.sluice-system.svc:8443}; the pod's path is appended
 * @param caConfigMap the ConfigMap (in the pod's namespace) holding {@code ca.crt} for it
 * @param nativeSidecars inject as an init container with {@code restartPolicy: Always} (cluster
 *     1.29+), else as a regular container
 * @param cpuRequest default CPU request
 * @param memoryRequest default memory request
 * @param memoryLimit default memory limit
 * @param accessLog the format of the sidecar's access log on standard output
 * @param tracing the sidecar's span export ({@link SidecarTracing#OFF}: none)
 * @param version the injector's version, recorded on injected pods
 * @param scrapeAnnotations annotate injected pods {@code prometheus.io/scrape}, {@code /port} (the
 *     sidecar's admin port) and {@code /path}, unless a pod has a {@code prometheus.io/*}
 *     annotation of its own
 */
public record InjectionSettings(
    String image,
    String configServiceUrl,
    String caConfigMap,
    boolean nativeSidecars,
    String cpuRequest,
    String memoryRequest,
    String memoryLimit,
    SidecarAccessLog accessLog,
    SidecarTracing tracing,
    String version,
    boolean scrapeAnnotations) {}
