package dev.sluice.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Routes HTTP traffic that reaches the sidecars of the selected pods: a listener, rules that match
 * requests and send them to a backend (optionally through offload agents), and how a change rolls
 * out across the pods.
 */
@Group(ProxyRoute.GROUP)
@Version(ProxyRoute.VERSION)
@ShortNames("pr")
@Categories("sluice")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Updated",
    jsonPath = ".status.rollout.updatedPods",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Selected",
    jsonPath = ".status.rollout.selectedPods",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Revision",
    jsonPath = ".status.revision",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Routes",
    jsonPath = ".status.attachedRoutes",
    type = AdditionalPrinterColumn.Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class ProxyRoute extends CustomResource<ProxyRouteSpec, ProxyRouteStatus>
    implements Namespaced {
  public static final String GROUP = "sluice.dev";
  public static final String VERSION = "v1alpha1";
  private static final long serialVersionUID = 1L;
}
