package dev.sluice.sidecar.accesslog;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Which exchanges are logged: every one that failed (a termination other than {@code --}, or a 5xx)
 * always; of the rest, the configured share, drawn per exchange.
 */
public record AccessLogSampler(double successRate) {
  public static final AccessLogSampler ALL = new AccessLogSampler(1.0);

  public AccessLogSampler {
    if (!(successRate >= 0.0 && successRate <= 1.0)) {
      throw new IllegalArgumentException("successRate must be between 0 and 1, got " + successRate);
    }
  }

  public boolean logs(Termination termination, int status) {
    if (termination.failed() || status >= 500) {
      return true;
    }
    if (successRate >= 1.0) {
      return true;
    }
    return successRate > 0.0 && ThreadLocalRandom.current().nextDouble() < successRate;
  }
}
