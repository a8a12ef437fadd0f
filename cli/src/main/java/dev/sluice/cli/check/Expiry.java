package dev.sluice.cli.check;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** When certificates stop being valid, and whether that is too soon. */
final class Expiry {
  /** Less than this left fails the check: the operator rotates long before. */
  static final Duration MARGIN = Duration.ofDays(30);

  private Expiry() {}

  /** The soonest {@code notAfter} of {@code certificates}. */
  static Instant soonest(List<X509Certificate> certificates) {
    return certificates.stream()
        .map(c -> c.getNotAfter().toInstant())
        .min(Instant::compareTo)
        .orElseThrow();
  }

  static boolean tooSoon(Instant notAfter, Instant now) {
    return notAfter.isBefore(now.plus(MARGIN));
  }

  /** "expires 2027-12-01T00:00:00Z (in 365 days)" or "expired ...". */
  static String describe(Instant notAfter, Instant now) {
    long days = Duration.between(now, notAfter).toDays();
    return notAfter.isBefore(now)
        ? "expired " + notAfter + " (" + -days + " days ago)"
        : "expires " + notAfter + " (in " + days + " days)";
  }
}
