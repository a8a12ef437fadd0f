package dev.sluice.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Revisions depend on content only: spelled-out defaults and the revision field do not count. */
class RevisionsTest {
  private static final String BASE =
      """
      version: 1
      listeners: [{name: http, address: 127.0.0.1:10080}]
      rules: [{name: a, listener: http, upstream: {endpoints: [127.0.0.1:8080]}}]
      """;

  @Test
  void spelledOutDefaultsHashTheSame() throws Exception {
    String explicit =
        """
        version: 1
        admin: {address: 127.0.0.1:10090}
        drainTimeout: 30s
        listeners: [{name: http, address: 127.0.0.1:10080, protocol: HTTP, maxHeaderBytes: 32768}]
        rules:
          - name: a
            listener: http
            upstream: {protocol: http1, endpoints: [127.0.0.1:8080], maxConnectionsPerEndpoint: 64}
            timeouts: {connect: 5s, request: 1m, idle: 5m}
            zeroCopy: true
        """;
    assertThat(revision(explicit)).isEqualTo(revision(BASE));
  }

  @Test
  void givenRevisionIsKeptButDoesNotChangeTheHash() throws Exception {
    SidecarConfig named = SidecarConfigCodec.readYaml("revision: r7\n" + BASE, "test");
    assertThat(named.revision()).isEqualTo("r7");
    assertThat(Revisions.of(named)).isEqualTo(revision(BASE));
  }

  @Test
  void anyContentChangeChangesTheHash() throws Exception {
    assertThat(revision(BASE.replace("8080", "8081"))).isNotEqualTo(revision(BASE));
    assertThat(revision(BASE)).matches("[0-9a-f]{16}");
  }

  private static String revision(String yaml) throws InvalidConfigException {
    return SidecarConfigCodec.readYaml(yaml, "test").revision();
  }
}
