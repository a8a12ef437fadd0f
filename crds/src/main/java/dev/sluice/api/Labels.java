package dev.sluice.api;

/** Every label, annotation and condition key Sluice puts on Kubernetes objects, in one place. */
public final class Labels {
  public static final String PREFIX = "sluice.dev/";

  /** Namespace label {@code enabled}, or pod label {@code "true"}/{@code "false"}: injection. */
  public static final String INJECT = PREFIX + "inject";

  public static final String INJECT_NAMESPACE_ENABLED = "enabled";

  /** Pod annotation set by the webhook: the injector version that injected the pod. */
  public static final String INJECTED = PREFIX + "injected";

  /** Pod annotation: the config revision the pod's sidecar applied (written by the operator). */
  public static final String APPLIED_REVISION = PREFIX + "applied-revision";

  /** Pod condition type: the sidecar applied its assigned config. */
  public static final String CONFIG_APPLIED_CONDITION = PREFIX + "ConfigApplied";

  /** Pod annotations overriding the injected sidecar's settings. */
  public static final String SIDECAR_IMAGE = PREFIX + "sidecar-image";

  public static final String SIDECAR_CPU_REQUEST = PREFIX + "sidecar-cpu-request";
  public static final String SIDECAR_MEMORY_REQUEST = PREFIX + "sidecar-memory-request";
  public static final String SIDECAR_MEMORY_LIMIT = PREFIX + "sidecar-memory-limit";

  private Labels() {}
}
