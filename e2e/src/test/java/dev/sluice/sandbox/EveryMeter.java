package dev.sluice.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.operator.metrics.OperatorMetrics;
import dev.sluice.sidecar.accesslog.AccessLogWriter;
import dev.sluice.sidecar.config.ClusterEndpoints;
import dev.sluice.sidecar.config.Endpoint;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.endpoints.EndpointTable;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.trace.OtlpSpans;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every meter the sidecar's {@link ProxyMetrics} and the operator's {@link OperatorMetrics} can
 * register, each made to report once, so their scrapes hold every family they export — including
 * those no sandbox traffic reaches (retries, tunnels, ejections, refusals). A public method that is
 * not called here fails {@link #checkEveryMethodIsCalled}: a new meter cannot go undocumented.
 */
final class EveryMeter {
  /** The methods of ProxyMetrics called below (registry() only reads). */
  static final Set<String> SIDECAR_CALLS =
      Set.of(
          "registry",
          "rateLimited",
          "backendChosen",
          "mirrored",
          "clientCertificate",
          "request",
          "bodyBytes",
          "upstreamError",
          "retried",
          "retryForgone",
          "tunnelOpened",
          "tunnelEnded",
          "streamEnded",
          "rejected",
          "downstreamTimeout",
          "connectionRefused",
          "downstreamRefusal",
          "downstreamControlFrame",
          "downstreamReadPaused",
          "offload",
          "bufferMemory",
          "ignoredConfigFields",
          "agentAvailability",
          "removeAgentAvailability",
          "endpoints",
          "ejected",
          "ejectionOverCap",
          "returned",
          "endpointUpdate",
          "reload",
          "reloadSwap",
          "drained",
          "accessLog",
          "spans");

  /**
   * The methods of OperatorMetrics called below, and {@code gauge}: its callers name the family
   * (the config service's and endpoint service's gauges), so those come from a running operator's
   * scrape, never from here.
   */
  static final Set<String> OPERATOR_CALLS =
      Set.of(
          "registry",
          "none",
          "gauge",
          "reconciled",
          "assigned",
          "report",
          "tokenRefused",
          "endpointsAck",
          "endpointsPropagated",
          "clusterReadyEndpoints",
          "rollout");

  private EveryMeter() {}

  /** A ProxyMetrics whose every meter reported once: its scrape. */
  static String sidecar() {
    ProxyMetrics metrics = new ProxyMetrics();
    metrics.request("shop.storefront", 200, 1_000_000);
    metrics.bodyBytes("request", false, 10);
    metrics.upstreamError("shop.storefront", "connect");
    metrics.retried("shop.storefront", "reset");
    metrics.retryForgone("shop.storefront", "budget");
    metrics.rateLimited("shop.storefront");
    metrics.backendChosen("shop.storefront", "0");
    metrics.mirrored("shop.storefront", "sent");
    metrics.clientCertificate("shop", "verified");
    metrics.tunnelOpened("shop.storefront");
    metrics.tunnelEnded("shop.storefront", "client");
    metrics.streamEnded("downstream", "complete");
    metrics.rejected(404);
    metrics.downstreamTimeout("shop", "idle");
    metrics.connectionRefused("shop");
    metrics.downstreamRefusal("rapid_reset");
    metrics.downstreamControlFrame(true);
    metrics.downstreamReadPaused();
    metrics.offload("waf", "ok", 3);
    metrics.bufferMemory(new UnpooledByteBufAllocator(true));
    metrics.ignoredConfigFields(() -> 0);
    metrics.agentAvailability("waf", () -> true);
    EndpointTable table = new EndpointTable();
    metrics.endpoints(table, cluster -> 0);
    table.apply(
        new ClusterEndpoints(
            "1", Map.of("shop/storefront:8080", List.of(Endpoint.ready("10.0.0.1:80")))));
    metrics.ejected("shop/storefront:8080");
    metrics.ejectionOverCap("shop/storefront:8080");
    metrics.returned("shop/storefront:8080");
    metrics.endpointUpdate("applied");
    metrics.reload("applied");
    metrics.reloadSwap(1_000_000);
    metrics.drained(new SidecarReport.Drain(1, 0, 1, 0, 5));
    metrics.accessLog(new AccessLogWriter(OutputStream.nullOutputStream(), 16));
    try (OtlpSpans spans = new OtlpSpans(SpanExporter.composite(), Resource.empty(), 16)) {
      metrics.spans(spans);
    }
    return metrics.registry().scrape();
  }

  /** An OperatorMetrics whose every meter reported once: its scrape. */
  static String operator() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics metrics = new OperatorMetrics(registry);
    metrics.reconciled("ProxyRoute", "settled");
    metrics.assigned();
    metrics.report("applied");
    metrics.tokenRefused("missing");
    metrics.endpointsAck("applied");
    metrics.endpointsPropagated(Duration.ofMillis(5));
    metrics.clusterReadyEndpoints("shop", Map.of("shop/storefront:8080", 1));
    metrics.rollout("shop", "shop", 4, 4, 0);
    return registry.scrape();
  }

  /** Every public instance method of both classes is one this class calls (or accounts for). */
  static void checkEveryMethodIsCalled() {
    assertThat(publicMethods(ProxyMetrics.class))
        .as("ProxyMetrics' public methods: call each new one in EveryMeter.sidecar()")
        .isSubsetOf(SIDECAR_CALLS);
    assertThat(publicMethods(OperatorMetrics.class))
        .as("OperatorMetrics' public methods: call each new one in EveryMeter.operator()")
        .isSubsetOf(OPERATOR_CALLS);
  }

  private static Set<String> publicMethods(Class<?> type) {
    return Arrays.stream(type.getDeclaredMethods())
        .filter(m -> Modifier.isPublic(m.getModifiers()))
        .map(Method::getName)
        .collect(Collectors.toSet());
  }
}
