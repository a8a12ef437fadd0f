package dev.sluice.operator;

import java.io.IOException;

/**
 * One of the operator's listeners could not bind (port taken, address not of this host): which one,
 * its flag, the address and why, in one sentence. Thrown before the operator wrote anything to the
 * cluster; {@code OperatorMain} exits {@value OperatorMain#EXIT_LISTENER} on it.
 */
public final class ListenerBindException extends IOException {
  private static final long serialVersionUID = 1L;

  ListenerBindException(String listener, String flag, String address, IOException cause) {
    super(
        "the "
            + listener
            + " cannot listen on "
            + address
            + ": "
            + cause.getMessage()
            + " (expected: a free port and an address of this host; set "
            + flag
            + " or --bind-address)",
        cause);
  }
}
