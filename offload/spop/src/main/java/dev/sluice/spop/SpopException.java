package dev.sluice.spop;

/**
 * A protocol error, with the SPOP status a DISCONNECT frame would carry for it ({@link
 * SpopStatus}). Thrown by the codec for malformed input; never for I/O.
 */
public final class SpopException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  public SpopException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The SPOP status code (section 9 of the protocol notes). */
  public int status() {
    return status;
  }

  static SpopException invalid(String message) {
    return new SpopException(SpopStatus.INVALID_FRAME, message);
  }
}
