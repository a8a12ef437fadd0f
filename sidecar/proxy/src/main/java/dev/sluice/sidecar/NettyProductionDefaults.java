package dev.sluice.sidecar;

import java.util.Properties;

/**
 * Netty settings for a proxy in production, each only where the operator of the JVM did not set it
 * (a {@code -D} wins):
 *
 * <ul>
 *   <li>Object pools off: on one event loop per core a pooled object costs more than a
 *       young-generation allocation (Netty 4.2 checks the owner thread's state on every release).
 *       Measured on small HTTP/2 requests: about 5 % more requests per second.
 *   <li>Buffer leak detection off: sampling one buffer in 128 still costs a random draw per
 *       allocation, a weak reference per sampled buffer, and wrapped buffers that turn the
 *       decoders' monomorphic calls megamorphic: about a tenth of the sidecar's user CPU per
 *       HTTP/1.1 request (same jar, 4 runs each, medians 7.45 -> 6.72 us). Every test runs with
 *       paranoid detection and fails on a leak; {@code -Dio.netty.leakDetection.level=simple} turns
 *       sampling back on.
 *   <li>Flight Recorder events of the buffer allocator off: checking whether they are enabled loads
 *       the JDK's JFR classes (85, which no class archive can hold) into every sidecar. {@code
 *       -Dio.netty.jfr.enabled=true} turns them back on.
 * </ul>
 *
 * {@link #apply} must run before any Netty class reads them.
 */
final class NettyProductionDefaults {
  private NettyProductionDefaults() {}

  /** Sets each default in {@code properties} (the system properties) that is not set yet. */
  static void apply(Properties properties) {
    properties.putIfAbsent("io.netty.recycler.maxCapacityPerThread", "0");
    properties.putIfAbsent("io.netty.jfr.enabled", "false");
    if (properties.getProperty("io.netty.leakDetectionLevel") == null) { // the old name
      properties.putIfAbsent("io.netty.leakDetection.level", "disabled");
    }
  }
}
