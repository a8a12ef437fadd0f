package dev.sluice.sidecar.reload;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SIGHUP means "reload the config file", as for nginx and HAProxy. */
public final class Signals {
  private static final Logger log = LoggerFactory.getLogger(Signals.class);

  /** Runs {@code reload} on each SIGHUP; logs and does nothing where signals are unavailable. */
  @SuppressWarnings("restriction")
  public static void onHangUp(Runnable reload) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> reload.run());
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      log.warn("SIGHUP reloads unavailable here: {}", e.getMessage());
    }
  }

  private Signals() {}
}
