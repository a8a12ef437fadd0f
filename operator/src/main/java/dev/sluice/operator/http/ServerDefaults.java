package dev.sluice.operator.http;

import java.util.Properties;

/**
 * JDK HTTP server settings the operator needs other than the JDK's defaults, set (unless the user
 * set them, e.g. in {@code JAVA_TOOL_OPTIONS}) before the first server is made: the JDK reads them
 * once, when its first server class loads.
 *
 * <p>{@code sun.net.httpserver.maxIdleConnections}: the JDK keeps at most 200 idle keep-alive
 * connections and closes any other the moment its response is done. Every sidecar keeps two
 * connections to the config service (the config and the endpoints long-polls), idle only between an
 * answer and its next request. At 1,000 pods one EndpointSlice change answers 1,000 endpoint polls
 * at once: 800 of those connections were closed, and each sidecar paid two full TLS handshakes (an
 * ECDSA signature each on the service's threads) for its ACK and its next poll. The operator-scale
 * benchmark measured about 2 s of operator CPU per change, nearly all of it handshakes, and
 * propagation beyond 2 s (bench/results/2026-12-06-endpoint-propagation.md). Idle connections are
 * still closed after the JDK's idle interval (30 s), so the limit only has to exceed the sidecars'
 * connections: 2 per pod.
 */
public final class ServerDefaults {
  /** The JDK's property for the idle keep-alive connections a server keeps. */
  public static final String MAX_IDLE_CONNECTIONS = "sun.net.httpserver.maxIdleConnections";

  /** Two connections each for 10,000 sidecars. */
  static final int IDLE_CONNECTIONS = 20_000;

  private ServerDefaults() {}

  /** Sets the defaults in the system properties; call first thing in main. */
  public static void apply() {
    apply(System.getProperties());
  }

  static void apply(Properties properties) {
    if (properties.getProperty(MAX_IDLE_CONNECTIONS) == null) {
      properties.setProperty(MAX_IDLE_CONNECTIONS, Integer.toString(IDLE_CONNECTIONS));
    }
  }
}
