package dev.sluice.operator.render;

/**
 * A Service port in the pod's namespace.
 *
 * @param name the Service's name
 * @param port the Service port
 */
public record ServiceKey(String name, int port) {
  @Override
  public String toString() {
    return name + ":" + port;
  }
}
