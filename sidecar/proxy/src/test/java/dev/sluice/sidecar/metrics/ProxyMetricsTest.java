package dev.sluice.sidecar.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The gauges: one meter per agent across reloads, and the allocator's memory. */
class ProxyMetricsTest {
  private final ProxyMetrics metrics = new ProxyMetrics();

  @Test
  void anAgentKeepsOneGaugeAcrossTheClientsThatReplaceEachOther() {
    java.util.function.BooleanSupplier first = () -> true;
    java.util.function.BooleanSupplier second = () -> true;
    metrics.agentAvailability("iprep", first);
    assertThat(available("iprep")).isEqualTo(1.0);

    metrics.removeAgentAvailability("iprep", first); // a reload closed the old client
    assertThat(available("iprep")).isEqualTo(0.0);

    metrics.agentAvailability("iprep", second); // and the new one reports
    assertThat(available("iprep")).isEqualTo(1.0);
    assertThat(metrics.registry().find("sluice_agent_available").gauges()).hasSize(1);
    assertThat(metrics.registry().scrape()).containsOnlyOnce("sluice_agent_available{");
  }

  @Test
  void bufferMemoryFollowsTheAllocator() {
    ByteBufAllocator allocator = new UnpooledByteBufAllocator(true);
    metrics.bufferMemory(allocator);
    ByteBuf held = allocator.directBuffer(64 * 1024);
    try {
      assertThat(gauge("direct")).isGreaterThanOrEqualTo(64 * 1024);
    } finally {
      held.release();
    }
    assertThat(gauge("direct")).isZero();
  }

  private double available(String agent) {
    return metrics.registry().get("sluice_agent_available").tag("agent", agent).gauge().value();
  }

  private double gauge(String kind) {
    Gauge gauge = metrics.registry().get("sluice_buffer_memory_bytes").tag("kind", kind).gauge();
    return gauge.value();
  }
}
