package dev.sluice.operator.cluster;

import dev.sluice.operator.render.ServiceKey;
import dev.sluice.operator.render.ServicePortEndpoints;
import dev.sluice.sidecar.config.Endpoint;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The endpoints behind each Service port of a namespace, as Kubernetes defines them: every
 * EndpointSlice labelled {@code kubernetes.io/service-name} with the Service's name (IPv4 and IPv6
 * slices alike; FQDN slices are not addresses a sidecar connects to and are skipped), the port
 * found by the Service port's name among the slice's ports (the slice carries the target port
 * number, so a named target port resolves per slice), the first address of each endpoint (the
 * others are fungible, as kube-proxy reads them) and its conditions as they are ({@code ready} nil
 * means ready, {@code serving} nil means the value of ready, {@code terminating} nil means false).
 * An address in two slices (a slice being split or merged) counts once, with its most available
 * conditions. A Service port with no endpoint maps to an empty list; a missing Service or port has
 * no key.
 */
public final class EndpointIndex {
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  /** Most available first: ready, then serving, then not terminating. */
  private static final Comparator<Endpoint> MOST_AVAILABLE =
      Comparator.comparing((Endpoint e) -> !e.ready())
          .thenComparing((Endpoint e) -> !e.serving())
          .thenComparing(Endpoint::terminating);

  private EndpointIndex() {}

  public static Map<ServiceKey, ServicePortEndpoints> build(
      List<Service> services, List<EndpointSlice> slices) {
    Map<String, List<EndpointSlice>> byService = new HashMap<>();
    for (EndpointSlice slice : slices) {
      Map<String, String> labels = slice.getMetadata().getLabels();
      String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
      if (service != null) {
        byService.computeIfAbsent(service, s -> new ArrayList<>()).add(slice);
      }
    }
    Map<ServiceKey, ServicePortEndpoints> index = new HashMap<>();
    for (Service service : services) {
      String name = service.getMetadata().getName();
      if (service.getSpec() == null || service.getSpec().getPorts() == null) {
        continue;
      }
      for (ServicePort port : service.getSpec().getPorts()) {
        Map<String, Endpoint> byAddress = new TreeMap<>();
        for (EndpointSlice slice : byService.getOrDefault(name, List.of())) {
          for (Endpoint endpoint : endpoints(slice, port.getName())) {
            byAddress.merge(
                endpoint.address(), endpoint, (a, b) -> MOST_AVAILABLE.compare(a, b) <= 0 ? a : b);
          }
        }
        index.put(
            new ServiceKey(name, port.getPort()),
            new ServicePortEndpoints(
                clusterName(service.getMetadata().getNamespace(), name, port),
                List.copyOf(byAddress.values())));
      }
    }
    return index;
  }

  /** {@code <namespace>/<service>:<port name>}, or the port number when the port has no name. */
  public static String clusterName(String namespace, String service, ServicePort port) {
    String portName = blankToNull(port.getName());
    return namespace + "/" + service + ":" + (portName != null ? portName : port.getPort());
  }

  private static List<Endpoint> endpoints(EndpointSlice slice, @Nullable String portName) {
    String family = slice.getAddressType();
    boolean v6 = "IPv6".equals(family);
    if (!(v6 || "IPv4".equals(family))
        || slice.getPorts() == null
        || slice.getEndpoints() == null) {
      return List.of();
    }
    Integer target = null;
    for (EndpointPort p : slice.getPorts()) {
      if (Objects.equals(blankToNull(p.getName()), blankToNull(portName))) {
        target = p.getPort();
      }
    }
    if (target == null) {
      return List.of();
    }
    List<Endpoint> out = new ArrayList<>();
    for (var endpoint : slice.getEndpoints()) {
      if (endpoint.getAddresses() == null || endpoint.getAddresses().isEmpty()) {
        continue;
      }
      String ip = endpoint.getAddresses().get(0);
      EndpointConditions c = endpoint.getConditions();
      out.add(
          endpoint(
              v6 ? "[" + ip + "]:" + target : ip + ":" + target,
              c == null ? null : c.getReady(),
              c == null ? null : c.getServing(),
              c == null ? null : c.getTerminating(),
              endpoint.getZone()));
    }
    return out;
  }

  /** Absent conditions take the contract's defaults, which are Kubernetes'. */
  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  private static Endpoint endpoint(
      String address,
      @Nullable Boolean ready,
      @Nullable Boolean serving,
      @Nullable Boolean terminating,
      @Nullable String zone) {
    return new Endpoint(address, ready, serving, terminating, null, zone);
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
