package dev.sluice.api.v1alpha1;

/**
 * Condition reasons (PascalCase, stable: tools and alerts match on them). Each constant names the
 * condition types it appears in and when.
 */
public final class Reasons {
  /** Ready=True, Programmed=True: every selected pod applied the current revision. */
  public static final String APPLIED = "Applied";

  /** Accepted=True: the spec is valid. */
  public static final String ACCEPTED = "Accepted";

  /**
   * Accepted=False, Ready=False, Stalled=True: a field is invalid; the message names it. Every
   * Accepted=False reason (also PortConflict) sets Stalled=True: it needs a human.
   */
  public static final String INVALID_SPEC = "InvalidSpec";

  /** ResolvedRefs=True: all references resolve. */
  public static final String RESOLVED = "Resolved";

  /**
   * ResolvedRefs=False, Ready=False, Reconciling=True (it may still appear): a backend or agent
   * Service does not exist. The other ResolvedRefs reasons below set Reconciling the same way.
   */
  public static final String SERVICE_NOT_FOUND = "ServiceNotFound";

  /** ResolvedRefs=False, Ready=False: a Service exists but has no ready endpoints. */
  public static final String NO_ENDPOINTS = "NoEndpoints";

  /** ResolvedRefs=False, Ready=False: a TLS or CA Secret is missing or lacks its keys. */
  public static final String SECRET_NOT_FOUND = "SecretNotFound";

  /**
   * ResolvedRefs=False, Ready=False: a listener's {@code clientCertificates.caCertificateRefs}
   * entry names a ConfigMap or Secret that does not exist, lacks {@code ca.crt}, or whose {@code
   * ca.crt} is not PEM certificates (Gateway API's reason for the same).
   */
  public static final String INVALID_CA_CERTIFICATE_REF = "InvalidCACertificateRef";

  /** ResolvedRefs=False, Ready=False: a rule names an OffloadAgent that does not exist. */
  public static final String AGENT_NOT_FOUND = "AgentNotFound";

  /** ResolvedRefs=False, Ready=False: a rule names a message its agent does not define. */
  public static final String MESSAGE_NOT_FOUND = "MessageNotFound";

  /**
   * Accepted=False, Ready=False, Stalled=True: another ProxyRoute selecting the same pod already
   * has this listener port. Two ProxyRoutes never share a port, whatever their protocol or TLS
   * settings; the older one (by creation time, then name) keeps it and this one is left out whole.
   * A route left out for another problem holds no port.
   */
  public static final String PORT_CONFLICT = "PortConflict";

  /**
   * Ready=False, Programmed=False (neither Reconciling nor Stalled): the selector matches no pod
   * running a sidecar; nothing to wait for, nothing broken.
   */
  public static final String NO_PODS_SELECTED = "NoPodsSelected";

  /** Reconciling=True, Ready=False, Programmed=False: a rollout is in progress. */
  public static final String ROLLOUT_IN_PROGRESS = "RolloutInProgress";

  /** Stalled=True, Ready=False: a sidecar rejected the revision (message: pod and reason). */
  public static final String CONFIG_REJECTED = "ConfigRejected";

  /** Stalled=True, Ready=False: a batch did not apply within rollout.progressDeadline. */
  public static final String PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";

  /**
   * Stalled=True, Ready=False: after a failure, updated pods were returned to the last good
   * revision (rollout.onFailure: Rollback).
   */
  public static final String ROLLED_BACK = "RolledBack";

  /**
   * Stalled=True, Ready=False, Programmed=False: some selected pods run a sidecar that speaks an
   * older contract than the revision needs (it uses a must-understand field of a later version).
   * They are not sent it and keep their last good config; the message names how many pods, the
   * field, the contract version it needs and the remedy (restart them for the new sidecar image).
   * The other pods roll out as usual.
   */
  public static final String SIDECAR_CONTRACT_TOO_OLD = "SidecarContractTooOld";

  /** Available=True, Ready=True (OffloadAgent): at least one endpoint passes health checks. */
  public static final String AVAILABLE = "Available";

  /** Available=False, Ready=False (OffloadAgent): no endpoint passes health checks. */
  public static final String NO_HEALTHY_ENDPOINTS = "NoHealthyEndpoints";

  /** Available=Unknown (OffloadAgent): no sidecar has reported health for the agent yet. */
  public static final String HEALTH_UNKNOWN = "HealthUnknown";

  private Reasons() {}
}
