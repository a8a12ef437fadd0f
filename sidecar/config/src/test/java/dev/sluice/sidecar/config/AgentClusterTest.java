package dev.sluice.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * An agent's {@code cluster} is the upstream's kind of cluster: named by the config, its endpoints
 * apart; absent, it stays absent, so configs that do not name one read and hash as before.
 */
class AgentClusterTest {
  private static final String STATIC_AGENT =
      """
      version: 1
      listeners: [{name: http, address: 127.0.0.1:10080}]
      rules:
        - {name: a, listener: http, upstream: {cluster: shop/web:http}, offload: [{agent: waf}]}
      agents:
        - name: waf
          endpoints: [127.0.0.1:12345]
          timeouts: {hello: 1s, idle: 30s, processing: 1s}
          messages: [{name: m, args: [{name: p, value: path}]}]
      """;

  private static final String CLUSTER_AGENT =
      STATIC_AGENT.replace("endpoints: [127.0.0.1:12345]", "cluster: shop/waf:spop");

  @Test
  void theClustersAConfigNamesAreItsUpstreamsAndItsAgents() throws Exception {
    assertThat(read(STATIC_AGENT).clusterNames()).containsExactly("shop/web:http");
    assertThat(read(CLUSTER_AGENT).clusterNames())
        .containsExactly("shop/waf:spop", "shop/web:http");
  }

  @Test
  void anAgentWithoutAClusterWritesNone() throws Exception {
    assertThat(SidecarConfigCodec.toJson(read(STATIC_AGENT)))
        .doesNotContain("\"cluster\":\"shop/waf");
    assertThat(SidecarConfigCodec.toJson(read(CLUSTER_AGENT)))
        .contains("\"cluster\":\"shop/waf:spop\"");
  }

  @Test
  void anAgentsClusterNameIsInTheRevisionItsEndpointsNever() throws Exception {
    assertThat(read(CLUSTER_AGENT).revision())
        .isNotEqualTo(read(CLUSTER_AGENT.replace("shop/waf:spop", "shop/waf:other")).revision())
        .isNotEqualTo(read(STATIC_AGENT).revision());
  }

  private static SidecarConfig read(String yaml) throws InvalidConfigException {
    return SidecarConfigCodec.readYaml(yaml, "test");
  }
}
