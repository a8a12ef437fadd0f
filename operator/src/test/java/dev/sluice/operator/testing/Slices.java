package dev.sluice.operator.testing;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * EndpointSlices as the EndpointSlice controller writes them, and no looser than the API server
 * accepts them: {@code addressType} IPv4 or IPv6 with every address of that family, ports named
 * after the Service's ports (unique names), at most 100 endpoints, the {@code
 * kubernetes.io/service-name} label, and conditions set the way the controller sets them ({@link
 * #ready}, {@link #notReady}, {@link #terminating}) unless a test leaves them nil on purpose.
 */
public final class Slices {
  static final int MAX_ENDPOINTS = 100;

  private final String namespace;
  private final String name;
  private final String service;
  private final String addressType;
  private final List<EndpointPort> ports = new ArrayList<>();
  private final List<Endpoint> endpoints = new ArrayList<>();

  private Slices(String namespace, String name, String service, String addressType) {
    this.namespace = namespace;
    this.name = name;
    this.service = service;
    this.addressType = addressType;
  }

  /** A slice {@code name} of {@code service}, {@code addressType} IPv4 or IPv6. */
  public static Slices of(String namespace, String name, String service, String addressType) {
    if (!addressType.equals("IPv4") && !addressType.equals("IPv6")) {
      throw new IllegalArgumentException("addressType: " + addressType + " (expected: IPv4, IPv6)");
    }
    return new Slices(namespace, name, service, addressType);
  }

  /** A port, named after the Service port ({@code null}: the Service's only, unnamed port). */
  public Slices port(@Nullable String portName, int number) {
    String key = portName == null ? "" : portName;
    if (ports.stream().anyMatch(p -> key.equals(p.getName() == null ? "" : p.getName()))) {
      throw new IllegalArgumentException("port name " + key + " twice in one slice");
    }
    EndpointPort port = new EndpointPort();
    port.setName(portName);
    port.setPort(number);
    port.setProtocol("TCP");
    ports.add(port);
    return this;
  }

  /** A pod that is Ready: ready, serving, not terminating. */
  public Slices ready(String address) {
    return endpoint(address, true, true, false);
  }

  /** A pod that is not Ready (starting, failing its probe): none of the three. */
  public Slices notReady(String address) {
    return endpoint(address, false, false, false);
  }

  /** A pod being deleted: never ready, serving while its readiness probe still passes. */
  public Slices terminating(String address, boolean serving) {
    return endpoint(address, false, serving, true);
  }

  /** An endpoint with exactly these conditions (nil ones left nil, as older controllers did). */
  public Slices endpoint(
      String address,
      @Nullable Boolean ready,
      @Nullable Boolean serving,
      @Nullable Boolean terminating) {
    checkFamily(address);
    if (endpoints.size() == MAX_ENDPOINTS) {
      throw new IllegalArgumentException("more than " + MAX_ENDPOINTS + " endpoints in a slice");
    }
    endpoints.add(
        new EndpointBuilder()
            .withAddresses(address)
            .withNewConditions()
            .withReady(ready)
            .withServing(serving)
            .withTerminating(terminating)
            .endConditions()
            .withZone("zone-a")
            .build());
    return this;
  }

  public EndpointSlice build() {
    if (ports.isEmpty()) {
      throw new IllegalArgumentException("a slice of a Service with ports has ports");
    }
    Set<String> addresses = new HashSet<>();
    endpoints.forEach(e -> addresses.add(e.getAddresses().get(0)));
    if (addresses.size() != endpoints.size()) {
      throw new IllegalArgumentException("an address twice in one slice");
    }
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .addToLabels("kubernetes.io/service-name", service)
        .addToLabels("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io")
        .endMetadata()
        .withAddressType(addressType)
        .withPorts(ports)
        .withEndpoints(endpoints)
        .build();
  }

  private void checkFamily(String address) {
    InetAddress parsed;
    try {
      if (!address.matches("[0-9a-fA-F:.]+")) {
        throw new UnknownHostException(address);
      }
      parsed = InetAddress.getByName(address);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("address " + address + " (expected: an IP)", e);
    }
    boolean v6 = addressType.equals("IPv6");
    if (v6 ? !(parsed instanceof Inet6Address) : !(parsed instanceof Inet4Address)) {
      throw new IllegalArgumentException(
          "address " + address + " in a slice of addressType " + addressType);
    }
  }
}
