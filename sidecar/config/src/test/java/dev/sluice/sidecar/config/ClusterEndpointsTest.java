package dev.sluice.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterEndpointsTest {

  @Test
  void readsWithKubernetesDefaultsAndAContentVersion() throws Exception {
    ClusterEndpoints read =
        SidecarConfigCodec.readEndpoints(
            """
            {"clusters": {
              "shop/web:8080": [
                {"address": "10.1.0.5:8080"},
                {"address": "[fd00::5]:8080", "ready": false, "terminating": true, "serving": true},
                {"address": "10.1.0.6:8080", "ready": false, "zone": "eu-1a", "weight": 3}
              ],
              "shop/api:grpc": []
            }}
            """,
            "test");
    List<Endpoint> web = read.of("shop/web:8080");
    assertThat(web)
        .containsExactly(
            new Endpoint("10.1.0.5:8080", true, true, false, 1, null),
            new Endpoint("[fd00::5]:8080", false, true, true, 1, null),
            new Endpoint("10.1.0.6:8080", false, false, false, 3, "eu-1a"));
    assertThat(read.of("shop/api:grpc")).isEmpty();
    assertThat(read.of("shop/other:80")).as("no entry: not the same as no endpoint").isNull();
    assertThat(read.version()).hasSize(16).isEqualTo(Revisions.of(read));
  }

  @Test
  void theVersionFollowsTheContentNotTheOrderItWasBuiltIn() {
    Endpoint a = Endpoint.ready("10.0.0.1:80");
    Endpoint b = Endpoint.ready("10.0.0.2:80");
    ClusterEndpoints one =
        new ClusterEndpoints(null, Map.of("x/a:80", List.of(a, b), "x/b:80", List.of()));
    ClusterEndpoints same =
        new ClusterEndpoints(null, Map.of("x/b:80", List.of(), "x/a:80", List.of(a, b)));
    ClusterEndpoints reordered = new ClusterEndpoints(null, Map.of("x/a:80", List.of(b, a)));
    assertThat(Revisions.of(one)).isEqualTo(Revisions.of(same));
    assertThat(Revisions.of(one)).isNotEqualTo(Revisions.of(reordered));
    assertThat(Revisions.of(one.withVersion("whatever"))).isEqualTo(Revisions.of(one));
  }

  @Test
  void everyProblemIsNamedWithItsPath() {
    assertThatThrownBy(
            () ->
                SidecarConfigCodec.readEndpoints(
                    """
                    clusters:
                      "shop web": []
                      shop/web:8080:
                        - {address: 10.1.0.5}
                        - {address: 10.1.0.6:8080, weight: 0}
                        - {address: 10.1.0.6:8080}
                    """,
                    "endpoints"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(
            "clusters: \"shop web\" (expected: a cluster name: 1 to 253 characters of"
                + " [A-Za-z0-9._:/-])")
        .hasMessageContaining("clusters[shop/web:8080][0].address: \"10.1.0.5\"")
        .hasMessageContaining("clusters[shop/web:8080][1].weight: 0 (expected: 1..1000)")
        .hasMessageContaining(
            "clusters[shop/web:8080][2].address: \"10.1.0.6:8080\" (expected: unique among");
  }

  @Test
  void unknownFieldsAreRefusedAsInAConfig() {
    assertThatThrownBy(
            () ->
                SidecarConfigCodec.readEndpoints(
                    "{\"clusters\": {\"a/b:1\": [{\"address\": \"10.0.0.1:1\", \"hints\": {}}]}}",
                    "endpoints"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("hints");
  }
}
