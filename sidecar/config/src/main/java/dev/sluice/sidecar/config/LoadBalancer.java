package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How a rule's requests are spread over its upstream's endpoints, across the whole sidecar (every
 * event loop shares one balancer per upstream).
 */
public enum LoadBalancer {
  /**
   * Power of two choices over outstanding requests: two endpoints picked at random (by weight), the
   * one with fewer requests in flight takes it. Steers away from slow or stuck endpoints at once.
   * The default.
   */
  @JsonProperty("LeastRequest")
  LEAST_REQUEST,
  /** Each endpoint in turn (weighted), whatever its load. */
  @JsonProperty("RoundRobin")
  ROUND_ROBIN;

  /** What a rule that does not say uses. */
  public static final LoadBalancer DEFAULT = LEAST_REQUEST;
}
