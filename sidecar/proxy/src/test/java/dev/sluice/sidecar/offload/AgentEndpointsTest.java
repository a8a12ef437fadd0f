package dev.sluice.sidecar.offload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.Endpoint;
import dev.sluice.sidecar.config.HostPort;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An agent's endpoints read a cluster as upstreams do: ready ones take connections; serving and
 * terminating ones only while none is ready; the others never. State stays with an endpoint while
 * it takes connections, and the reason for having none names the cluster.
 */
class AgentEndpointsTest {
  private static final String CLUSTER = "shop/waf:spop";
  private static final HostPort A = HostPort.parse("10.0.0.1:12345");
  private static final HostPort B = HostPort.parse("10.0.0.2:12345");

  private static Endpoint ready(HostPort at) {
    return Endpoint.ready(at.toString());
  }

  private static Endpoint terminating(HostPort at) {
    return new Endpoint(at.toString(), false, true, true, 1, null);
  }

  private static Endpoint notServing(HostPort at) {
    return new Endpoint(at.toString(), false, false, false, 1, null);
  }

  @Test
  void staticEndpointsAllTakeConnectionsInTurn() {
    AgentEndpoints endpoints = new AgentEndpoints(null, List.of(A, B));
    assertThat(endpoints.whyNone()).isNull();
    List<HostPort> turns = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      turns.add(endpoints.next(System.nanoTime()));
    }
    assertThat(turns).containsExactly(A, B, A, B);
  }

  @Test
  void aClusterHasNoEndpointUntilTheTableTellsAndSaysWhy() {
    AgentEndpoints endpoints = new AgentEndpoints(CLUSTER, List.of());
    assertThat(endpoints.next(System.nanoTime())).isNull();
    assertThat(endpoints.whyNone()).contains("cluster " + CLUSTER + " is not known yet");
    assertThat(endpoints.health()).as("unknown, not unavailable").isNull();

    endpoints.update(List.of());
    assertThat(endpoints.whyNone()).isEqualTo("cluster " + CLUSTER + " has no endpoint");
    assertThat(endpoints.health()).isEqualTo(new AgentHealth(0, 0));
  }

  @Test
  void addedEndpointsAreReportedOnceAndRemovedOnesLoseTheirState() {
    AgentEndpoints endpoints = new AgentEndpoints(CLUSTER, List.of());
    assertThat(endpoints.update(List.of(ready(A)))).containsExactly(A);
    AgentEndpoints.State a = endpoints.state(A);
    assertThat(endpoints.update(List.of(ready(A), ready(B)))).containsExactly(B);
    assertThat(endpoints.state(A)).as("kept while it serves").isSameAs(a);

    assertThat(endpoints.update(List.of(ready(B)))).isEmpty();
    assertThat(endpoints.serves(A)).isFalse();
    assertThat(endpoints.state(A)).isNull();
    assertThat(endpoints.next(System.nanoTime())).isEqualTo(B);
  }

  @Test
  void terminatingEndpointsServeOnlyWhileNoneIsReadyAndNotServingOnesNever() {
    AgentEndpoints endpoints = new AgentEndpoints(CLUSTER, List.of());
    endpoints.update(List.of(ready(A), terminating(B)));
    assertThat(endpoints.serves(A)).isTrue();
    assertThat(endpoints.serves(B)).isFalse();

    endpoints.update(List.of(notServing(A), terminating(B)));
    assertThat(endpoints.serves(A)).isFalse();
    assertThat(endpoints.serves(B)).isTrue();

    endpoints.update(List.of(notServing(A)));
    assertThat(endpoints.whyNone())
        .isEqualTo("cluster " + CLUSTER + " has no ready or serving endpoint (1 not serving)");
    assertThat(endpoints.view().endpoints())
        .containsExactly(new AgentEndpointsView.Member(A.toString(), "not_serving", false, null));
  }

  @Test
  void healthCountsTheEndpointsThatTakeConnectionsOnceEachWasChecked() {
    AgentEndpoints endpoints = new AgentEndpoints(CLUSTER, List.of());
    endpoints.update(List.of(ready(A), ready(B)));
    endpoints.forEach((at, state) -> state.checked = true);
    assertThat(endpoints.health()).isEqualTo(new AgentHealth(2, 0));
    endpoints.forEach((at, state) -> state.up = at.equals(B));
    assertThat(endpoints.health()).isEqualTo(new AgentHealth(2, 1));
    assertThat(endpoints.anyUp()).isTrue();

    endpoints.update(List.of(ready(A), ready(B), ready(HostPort.parse("10.0.0.3:12345"))));
    assertThat(endpoints.health()).as("the new one is not checked yet").isNull();
    endpoints.update(List.of(ready(B)));
    assertThat(endpoints.health()).isEqualTo(new AgentHealth(1, 1));
    assertThat(endpoints.view().endpoints())
        .containsExactly(new AgentEndpointsView.Member(B.toString(), "ready", true, "up"));
  }
}
