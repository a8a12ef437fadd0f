package dev.sluice.sidecar.config;

/**
 * The sidecar's admin listener: /ready, /live, /config, /metrics, POST /reload.
 *
 * @param address host:port to bind (default 127.0.0.1:10090, loopback only)
 */
public record AdminEndpoint(String address) {
  static final String DEFAULT_ADDRESS = "127.0.0.1:10090";
  public static final AdminEndpoint DEFAULT = new AdminEndpoint(DEFAULT_ADDRESS);

  public AdminEndpoint {
    address = address == null ? DEFAULT_ADDRESS : address;
  }
}
