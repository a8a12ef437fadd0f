package dev.sluice.sidecar.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.Endpoint;
import dev.sluice.sidecar.endpoints.EndpointSet;
import dev.sluice.sidecar.endpoints.UpstreamEndpoint;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * An endpoint update retires exactly the per-endpoint pools of endpoints that no longer take
 * requests (removed, or no longer eligible); the others stay as they are, and a retired pool that
 * still carries tunnels is closed with the rest at the end.
 */
class LoopPoolsTest {
  private final List<String> retired = new ArrayList<>();
  private final List<String> closed = new ArrayList<>();

  private final class FakePool implements UpstreamPool.LoopPool {
    final String address;
    final boolean tunnels;

    FakePool(String address, boolean tunnels) {
      this.address = address;
      this.tunnels = tunnels;
    }

    @Override
    public Future<UpstreamLease> acquire(Duration connectTimeout) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean retire() {
      retired.add(address);
      return tunnels;
    }

    @Override
    public void close() {
      closed.add(address);
    }
  }

  @Test
  void retiresWhatLeftAndKeepsWhatStays() {
    EmbeddedChannel channel = new EmbeddedChannel();
    EndpointSet first =
        EndpointSet.of(
            "c",
            List.of(Endpoint.ready("a:1"), Endpoint.ready("b:1"), Endpoint.ready("c:1")),
            null);
    AtomicReference<EndpointSet> current = new AtomicReference<>(first);
    LoopPools pools =
        new LoopPools(
            channel.eventLoop(),
            e -> new FakePool(e.address(), e.address().equals("b:1")),
            current::get);
    UpstreamEndpoint a = first.eligible().get(0);
    first.eligible().forEach(pools::forEndpoint);

    // a stays, b is removed, c stays but is now terminating while a is ready: not eligible.
    current.set(
        EndpointSet.of(
            "c",
            List.of(Endpoint.ready("a:1"), new Endpoint("c:1", false, true, true, 1, null)),
            first));
    pools.retireIneligible();

    assertThat(retired).containsExactlyInAnyOrder("b:1", "c:1");
    assertThat(pools.forEndpoint(a)).as("a's pool is the same one").isNotNull();
    assertThat(closed).isEmpty();
    pools.close();
    assertThat(closed)
        .as("a's pool, and b's with its tunnels")
        .containsExactlyInAnyOrder("a:1", "b:1");
    channel.finishAndReleaseAll();
  }
}
