package dev.sluice.operator.configservice;

/** Turns a bearer token into the pod it was issued for, or says why it cannot. */
public interface TokenReviewer {
  /**
   * The token's pod.
   *
   * @throws TokenRefused when the token is not authenticated for audience {@code sluice} or is not
   *     bound to a pod
   */
  PodIdentity review(String token) throws TokenRefused;

  /** A refused token, with one sentence saying why (sent to the sidecar, logged). */
  final class TokenRefused extends Exception {
    private static final long serialVersionUID = 1L;

    public TokenRefused(String message) {
      super(message);
    }
  }
}
