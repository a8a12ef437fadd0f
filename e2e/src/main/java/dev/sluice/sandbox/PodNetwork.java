package dev.sluice.sandbox;

import dev.sluice.sidecar.admin.ReloadControl;
import dev.sluice.sidecar.config.AdminEndpoint;
import dev.sluice.sidecar.config.DownstreamListener;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.offload.AgentHealth;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A pod's network on one host: in a cluster every pod has its own IP and a sidecar binds {@code
 * 0.0.0.0}; here all pods share loopback, so each pod gets an address of 127.0.0.0/8 and its
 * sidecar binds the wildcard listeners (and its admin endpoint) there instead. The config's
 * revision is left as the operator rendered it, so reports name what the operator assigned.
 */
final class PodNetwork {
  private PodNetwork() {}

  static SidecarConfig bindTo(SidecarConfig config, String podIp) {
    return new SidecarConfig(
        config.version(),
        config.revision(),
        new AdminEndpoint(rebind(config.admin().address(), podIp)),
        config.drainTimeout(),
        config.listeners().stream()
            .map(
                l ->
                    new DownstreamListener(
                        l.name(),
                        rebind(l.address(), podIp),
                        l.protocol(),
                        l.tls(),
                        l.maxHeaderBytes(),
                        l.limits(),
                        l.http2()))
            .toList(),
        config.rules(),
        config.agents(),
        config.origin());
  }

  static String rebind(String address, String podIp) {
    for (String wildcard : new String[] {"0.0.0.0:", "[::]:"}) {
      if (address.startsWith(wildcard)) {
        return podIp + ":" + address.substring(wildcard.length());
      }
    }
    return address;
  }

  /**
   * The sidecar as its config-service client sees it, with every new config bound to the pod; each
   * reload takes at least {@code reloadTime} (a sidecar with many listeners, certificates or rules
   * to build), spent on the sidecar's reload thread before the config is read.
   */
  static ReloadControl boundTo(ReloadControl sidecar, String podIp, Supplier<Duration> reloadTime) {
    return new ReloadControl() {
      @Override
      public CompletableFuture<SidecarReport> reload(Callable<SidecarConfig> source) {
        return sidecar.reload(
            () -> {
              Thread.sleep(reloadTime.get().toMillis()); // a slow reload, as the test asked
              return bindTo(source.call(), podIp);
            });
      }

      @Override
      public CompletableFuture<SidecarReport> reloadFromSource() {
        return sidecar.reloadFromSource();
      }

      @Override
      public @Nullable SidecarReport lastReport() {
        return sidecar.lastReport();
      }

      @Override
      public CompletableFuture<SidecarReport> drained(@Nullable String revision) {
        return sidecar.drained(revision);
      }

      @Override
      public @Nullable SidecarReport lastRejection() {
        return sidecar.lastRejection();
      }

      @Override
      public Map<String, AgentHealth> agentHealth() {
        return sidecar.agentHealth();
      }

      @Override
      public void ignoring(@Nullable String revision, int speaks, List<String> fields) {
        sidecar.ignoring(revision, speaks, fields);
      }

      @Override
      public List<String> ignoredFields() {
        return sidecar.ignoredFields();
      }
    };
  }
}
