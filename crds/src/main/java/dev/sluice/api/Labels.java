package dev.sluice.api;

/** Every label, annotation and condition key Sluice puts on Kubernetes objects, in one place. */
public final class Labels {
  public static final String PREFIX = "sluice.dev/";

  /** Namespace label {@code enabled}, or pod label {@code "true"}/{@code "false"}: injection. */
  public static final String INJECT = PREFIX + "inject";

  public static final String INJECT_NAMESPACE_ENABLED = "enabled";

  /** Pod annotation set by the webhook: the injector version that injected the pod. */
  public static final String INJECTED = PREFIX + "injected";

  /**
   * Pod label {@code "true"} set by the webhook on injected pods: lets the operator watch only pods
   * that run a sidecar (an equality selector, which every API server filters on).
   */
  public static final String SIDECAR = PREFIX + "sidecar";

  /** Pod annotation: the config revision the pod's sidecar applied (written by the operator). */
  public static final String APPLIED_REVISION = PREFIX + "applied-revision";

  /** Pod annotation: the config revision the operator assigned to the pod's sidecar. */
  public static final String ASSIGNED_REVISION = PREFIX + "assigned-revision";

  /** Pod annotation: when that assignment was made (RFC 3339), for the progress deadline. */
  public static final String ASSIGNED_AT = PREFIX + "assigned-at";

  /** Pod annotation: the last revision the pod's sidecar rejected (written by the operator). */
  public static final String REJECTED_REVISION = PREFIX + "rejected-revision";

  /** Pod annotation: the sidecar's reason for that rejection, at most 1 KiB. */
  public static final String REJECTED_REASON = PREFIX + "rejected-reason";

  /**
   * Pod annotation: the last revision that reached every pod of the pod's group (pods running the
   * same config); what a rollback and new pods mid-rollout get.
   */
  public static final String LAST_GOOD_REVISION = PREFIX + "last-good-revision";

  /**
   * Pod annotation: the offload agents' health as the pod's sidecar last reported it, JSON {@code
   * {"<agent>": {"endpoints": n, "available": m}}} (written by the operator).
   */
  public static final String AGENT_HEALTH = PREFIX + "agent-health";

  /**
   * Pod annotation: the contract version the pod's sidecar announced in its last request to the
   * config service ({@code Sluice-Contract}; {@code 1} when it announced none), written by the
   * operator: what the operator renders for, and what {@code kubectl get pod -o yaml} shows.
   */
  public static final String CONTRACT = PREFIX + "contract";

  /** Label on the Secrets holding rendered configs: the revision the Secret holds. */
  public static final String CONFIG_REVISION = PREFIX + "config-revision";

  /** The standard managed-by label and Sluice's value for it. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  public static final String MANAGED_BY_SLUICE = "sluice-operator";

  /** Pod condition type: the sidecar applied its assigned config. */
  public static final String CONFIG_APPLIED_CONDITION = PREFIX + "ConfigApplied";

  /** Pod annotations overriding the injected sidecar's settings. */
  public static final String SIDECAR_IMAGE = PREFIX + "sidecar-image";

  public static final String SIDECAR_CPU_REQUEST = PREFIX + "sidecar-cpu-request";
  public static final String SIDECAR_MEMORY_REQUEST = PREFIX + "sidecar-memory-request";
  public static final String SIDECAR_MEMORY_LIMIT = PREFIX + "sidecar-memory-limit";

  /**
   * The prefix of the annotations a Prometheus without the operator finds scrape targets by ({@code
   * prometheus.io/scrape}, {@code /port}, {@code /path}): the injector adds them when asked, and
   * leaves a pod that has any of its own as it is.
   */
  public static final String PROMETHEUS_PREFIX = "prometheus.io/";

  public static final String PROMETHEUS_SCRAPE = PROMETHEUS_PREFIX + "scrape";
  public static final String PROMETHEUS_PORT = PROMETHEUS_PREFIX + "port";
  public static final String PROMETHEUS_PATH = PROMETHEUS_PREFIX + "path";

  private Labels() {}
}
