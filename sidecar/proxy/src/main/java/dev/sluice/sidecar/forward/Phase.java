package dev.sluice.sidecar.forward;

/**
 * Where an {@link Exchange} is. The request body may still flow upstream while the response flows
 * downstream, so whether the request is complete is tracked apart ({@link RequestRelay}); the phase
 * says what the exchange is waiting for. Every path ends in {@link #DONE}, through {@code
 * Exchange.end} alone.
 */
enum Phase {
  /** The request-phase offload runs (after the body bytes it asks for); body objects queue. */
  OFFLOAD_REQUEST,
  /** Waiting for an upstream lease, at start or after a refused stream; body objects queue. */
  ACQUIRING,
  /** The request goes upstream; no response head yet. */
  FORWARDING,
  /** The response head waits for the response-phase offload; nothing more is read upstream. */
  OFFLOAD_RESPONSE,
  /** The response goes downstream. */
  RESPONDING,
  /**
   * After {@code 101 Switching Protocols}: the two connections are a {@code Tunnel}, and the
   * exchange waits for its end.
   */
  TUNNEL,
  /** Ended: timers cancelled, buffers and lease released, the request counted out. */
  DONE;

  /** True while request body objects wait in the queue instead of going upstream. */
  boolean queuesRequestBody() {
    return this == OFFLOAD_REQUEST || this == ACQUIRING;
  }

  /** True once the response head went downstream (a local answer is then impossible). */
  boolean responseStarted() {
    return this == RESPONDING || this == TUNNEL;
  }
}
