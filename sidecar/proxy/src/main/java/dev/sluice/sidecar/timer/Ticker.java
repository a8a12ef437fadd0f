package dev.sluice.sidecar.timer;

/**
 * Where an exchange reads the time, in nanoseconds of an arbitrary origin: {@link #SYSTEM} in the
 * proxy, a hand-moved one in tests.
 */
@FunctionalInterface
public interface Ticker {
  Ticker SYSTEM = System::nanoTime;

  long nanoTime();
}
