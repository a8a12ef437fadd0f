package dev.sluice.sidecar.endpoints;

import dev.sluice.sidecar.config.Endpoint;

/** An endpoint's conditions as one word, for {@code /config} and the metrics' {@code state}. */
public enum EndpointState {
  /** Ready: takes new requests. */
  READY("ready"),
  /** Terminating but still serving: takes new requests only while no endpoint is ready. */
  TERMINATING("terminating"),
  /** Neither: never takes a request. */
  NOT_SERVING("not_serving");

  private final String label;

  EndpointState(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /**
   * Kubernetes' reading: {@code ready} wins; {@code serving && terminating} is terminating;
   * anything else (not ready and not serving, or serving but not ready and not terminating) does
   * not serve.
   */
  public static EndpointState of(Endpoint endpoint) {
    if (endpoint.ready()) {
      return READY;
    }
    return endpoint.serving() && endpoint.terminating() ? TERMINATING : NOT_SERVING;
  }
}
