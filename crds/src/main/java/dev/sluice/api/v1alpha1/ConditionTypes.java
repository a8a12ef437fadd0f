package dev.sluice.api.v1alpha1;

/**
 * Condition types of ProxyRoute and OffloadAgent. Each constant says when the condition is True.
 * Every condition carries {@code observedGeneration}; {@code lastTransitionTime} moves only when
 * its status flips. Ready/Reconciling/Stalled follow kstatus: Reconciling and Stalled are
 * "abnormal-true", and False (which kstatus reads like absent) when they do not hold.
 */
public final class ConditionTypes {
  /**
   * True when the latest generation is accepted, its references resolve, and (ProxyRoute) every
   * selected pod applied its revision / (OffloadAgent) at least one endpoint is available. The
   * summary that {@code kubectl wait --for=condition=Ready} waits for.
   */
  public static final String READY = "Ready";

  /**
   * True while the operator works towards the latest generation: a rollout runs, or a reference
   * does not resolve yet (it may appear).
   */
  public static final String RECONCILING = "Reconciling";

  /**
   * True when progress stopped and needs a human: a sidecar rejected the config, the progress
   * deadline passed, or the spec is invalid (Accepted=False).
   */
  public static final String STALLED = "Stalled";

  /** True when the spec is valid on its own (the checks the CRD's CEL rules mirror and more). */
  public static final String ACCEPTED = "Accepted";

  /** True when every reference (Services, Secrets, OffloadAgents and their messages) resolves. */
  public static final String RESOLVED_REFS = "ResolvedRefs";

  /** ProxyRoute: True when every selected pod's sidecar applied the current revision. */
  public static final String PROGRAMMED = "Programmed";

  /** OffloadAgent: True when at least one endpoint answers SPOP health checks. */
  public static final String AVAILABLE = "Available";

  private ConditionTypes() {}
}
