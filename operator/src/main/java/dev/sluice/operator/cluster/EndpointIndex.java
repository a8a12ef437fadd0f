package dev.sluice.operator.cluster;

import dev.sluice.operator.render.ServiceKey;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The ready endpoints behind each Service port, as the renderer wants them: a Service port with no
 * ready endpoint maps to an empty list (NoEndpoints), a missing Service or port has no key
 * (ServiceNotFound). EndpointSlices name their ports after the Service's ports and carry the target
 * port numbers, so named target ports resolve per endpoint set.
 */
public final class EndpointIndex {
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private EndpointIndex() {}

  public static Map<ServiceKey, List<String>> build(
      List<Service> services, List<EndpointSlice> slices) {
    Map<String, List<EndpointSlice>> byService = new HashMap<>();
    for (EndpointSlice slice : slices) {
      Map<String, String> labels = slice.getMetadata().getLabels();
      String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
      if (service != null) {
        byService.computeIfAbsent(service, s -> new ArrayList<>()).add(slice);
      }
    }
    Map<ServiceKey, List<String>> index = new HashMap<>();
    for (Service service : services) {
      String name = service.getMetadata().getName();
      if (service.getSpec() == null || service.getSpec().getPorts() == null) {
        continue;
      }
      for (ServicePort port : service.getSpec().getPorts()) {
        TreeSet<String> ready = new TreeSet<>();
        for (EndpointSlice slice : byService.getOrDefault(name, List.of())) {
          ready.addAll(readyAddresses(slice, port.getName()));
        }
        index.put(new ServiceKey(name, port.getPort()), List.copyOf(ready));
      }
    }
    return index;
  }

  private static List<String> readyAddresses(EndpointSlice slice, String portName) {
    if (slice.getPorts() == null || slice.getEndpoints() == null) {
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
    List<String> out = new ArrayList<>();
    for (Endpoint endpoint : slice.getEndpoints()) {
      boolean ready =
          endpoint.getConditions() == null
              || endpoint.getConditions().getReady() == null
              || endpoint.getConditions().getReady();
      if (!ready || endpoint.getAddresses() == null) {
        continue;
      }
      for (String address : endpoint.getAddresses()) {
        out.add(address.contains(":") ? "[" + address + "]:" + target : address + ":" + target);
      }
    }
    return out;
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
