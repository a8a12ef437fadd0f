package dev.sluice.sidecar.testing;

import dev.sluice.sidecar.Sidecar;
import dev.sluice.sidecar.accesslog.AccessLogOutput;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.transport.Io;

/** An in-process sidecar on loopback with OS-picked ports, from a YAML config. */
public final class RunningSidecar implements AutoCloseable {
  private final Sidecar sidecar;

  public RunningSidecar(String yaml) throws Exception {
    this(yaml, AccessLogOutput.OFF);
  }

  /** Writing its access log to {@code accessLog}. */
  public RunningSidecar(String yaml, AccessLogOutput accessLog) throws Exception {
    SidecarConfig config = SidecarConfigCodec.readYaml(yaml, "test config");
    this.sidecar = new Sidecar(2, Io.defaults(), accessLog).start(config);
  }

  /** One listener "http" on 127.0.0.1, one rule "r" to {@code upstream}. */
  public static RunningSidecar singleRule(
      String protocol, String upstream, boolean zeroCopy, String extra) throws Exception {
    return new RunningSidecar(
        """
        version: 1
        admin: {address: 127.0.0.1:0}
        listeners: [{name: http, address: 127.0.0.1:0}]
        rules:
          - name: r
            listener: http
            upstream: {protocol: %s, endpoints: [%s]}
            zeroCopy: %s
        %s"""
            .formatted(protocol, upstream, zeroCopy, extra.indent(4)));
  }

  public String url(String path) {
    return "http://127.0.0.1:" + sidecar.listenerAddresses().get("http").getPort() + path;
  }

  public String adminUrl(String path) {
    return "http://127.0.0.1:" + sidecar.adminAddress().getPort() + path;
  }

  public Sidecar sidecar() {
    return sidecar;
  }

  @Override
  public void close() {
    sidecar.close();
  }
}
