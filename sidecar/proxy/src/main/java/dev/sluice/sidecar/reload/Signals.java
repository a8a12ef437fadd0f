package dev.sluice.sidecar.reload;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP means "reload the config file", as for nginx and HAProxy; SIGTERM and SIGINT a graceful
 * stop.
 */
public final class Signals {
  private static final Logger log = LoggerFactory.getLogger(Signals.class);

  /**
   * Runs {@code reload} on each SIGHUP; logs and does nothing where signals are unavailable. A
   * process started with SIGHUP ignored (by {@code nohup}, or a supervisor that ignores it) keeps
   * it ignored: the JVM accepts the handler and never calls it. That is logged too, rather than
   * leaving a reload signal that silently does nothing.
   */
  @SuppressWarnings("restriction")
  public static void onHangUp(Runnable reload) {
    try {
      sun.misc.SignalHandler previous =
          sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> reload.run());
      if (previous == sun.misc.SignalHandler.SIG_IGN) {
        log.warn(
            "SIGHUP will not reload: whatever started this process ignores SIGHUP (nohup does),"
                + " and the JVM keeps it ignored; reload with POST /reload on the admin listener"
                + " or let the config file watcher do it");
      }
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      log.warn("SIGHUP reloads unavailable here: {}", e.getMessage());
    }
  }

  /**
   * Runs {@code stop} on SIGTERM and on SIGINT, instead of the JVM's exit with 143 or 130: a
   * graceful stop then exits 0. The handler runs on a thread of its own, so {@code stop} may wait
   * for the drain.
   */
  @SuppressWarnings("restriction")
  public static void onTerminate(Runnable stop) {
    for (String signal : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stop.run());
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        log.debug("SIG{} stays the JVM's: {}", signal, e.getMessage());
      }
    }
  }

  private Signals() {}
}
