package dev.sluice.operator.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * The JVM's and the process's own metrics ({@code jvm_memory_*}, {@code jvm_gc_*}, {@code
 * jvm_threads_*}, {@code process_cpu_usage}, {@code process_uptime_seconds}). Closing stops
 * listening to the garbage collector, so an operator started again in the same JVM (tests) leaves
 * nothing behind.
 */
public final class JvmMetrics implements AutoCloseable {
  private final JvmGcMetrics gc = new JvmGcMetrics();

  private JvmMetrics() {}

  public static JvmMetrics bindTo(MeterRegistry registry) {
    JvmMetrics metrics = new JvmMetrics();
    new JvmMemoryMetrics().bindTo(registry);
    metrics.gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return metrics;
  }

  @Override
  public void close() {
    gc.close();
  }
}
