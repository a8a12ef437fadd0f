package dev.sluice.sidecar.accesslog;

/** Who ended an exchange: the first letter of a termination code. */
public enum Actor {
  /** Nobody cut it: it ran to its end. */
  NONE('-'),
  /** The client: it closed, reset, sent something malformed, or was too slow. */
  CLIENT('C'),
  /** The upstream: it refused, reset, closed early, answered malformed or too late. */
  UPSTREAM('U'),
  /** The sidecar itself: a limit, a local answer, a reload's drain. */
  PROXY('P'),
  /** An offload agent: it denied, failed or missed its processing timeout. */
  AGENT('A');

  final char letter;

  Actor(char letter) {
    this.letter = letter;
  }

  public char letter() {
    return letter;
  }
}
