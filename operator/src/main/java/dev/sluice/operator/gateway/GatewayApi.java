package dev.sluice.operator.gateway;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Names of Gateway API this controller uses, and whether the cluster serves HTTPRoutes. */
public final class GatewayApi {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayApi.class);

  /** Gateway API's group. */
  public static final String GROUP = "gateway.networking.k8s.io";

  /** The Gateway API release whose standard channel Sluice is built and tested against. */
  public static final String SUPPORTED_RELEASE = "v1.4.1";

  /** What {@code status.parents[].controllerName} says for the parents this controller owns. */
  public static final String CONTROLLER_NAME = "sluice.dev/proxyroute-controller";

  /** The parent group and kind an HTTPRoute names to attach to a ProxyRoute. */
  public static final String PARENT_GROUP = "sluice.dev";

  public static final String PARENT_KIND = "ProxyRoute";

  private GatewayApi() {}

  /**
   * Whether the API server serves {@code gateway.networking.k8s.io/v1} HTTPRoutes (by discovery,
   * which every authenticated client may read). Without them HTTPRoutes are not watched: a cluster
   * that installs Gateway API later restarts the operator (the docs say so).
   */
  public static boolean servesHttpRoutes(KubernetesClient client) {
    try {
      var resources = client.getApiResources(GROUP + "/v1");
      boolean served =
          resources != null
              && resources.getResources().stream().anyMatch(r -> r.getName().equals("httproutes"));
      if (!served) {
        LOG.info(
            "Gateway API is not installed ({}/v1 httproutes not served): HTTPRoutes are not"
                + " watched; install its CRDs ({} standard channel) and restart the operator to"
                + " attach HTTPRoutes to ProxyRoutes",
            GROUP,
            SUPPORTED_RELEASE);
      }
      return served;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        LOG.info(
            "Gateway API is not installed: HTTPRoutes are not watched; install its CRDs ({}"
                + " standard channel) and restart the operator to attach HTTPRoutes",
            SUPPORTED_RELEASE);
        return false;
      }
      throw e;
    }
  }
}
