package dev.sluice.operator.route;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.cluster.InformerView;
import dev.sluice.operator.cluster.ReferencedObjects;
import dev.sluice.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reconciles the ProxyRoutes of a namespace into its sidecar pods' configs. A pod's config depends
 * on every ProxyRoute that selects it, and a pod needs a config even when no route selects it (yet,
 * or any more), so the unit of work is the namespace: every event of a ProxyRoute, OffloadAgent,
 * sidecar pod, Service, EndpointSlice, HTTPRoute, or Secret or ConfigMap a route names maps to its
 * Namespace, JOSDK runs at most one reconcile per namespace at a time and coalesces the events that
 * arrive meanwhile, and the reconcile is one {@link NamespaceSync} pass: render → roll out → every
 * ProxyRoute's status. A deleted ProxyRoute is simply absent from the next pass (no finalizer); the
 * status written for a deleted ProxyRoute or OffloadAgent is forgotten when its informer sees it
 * go. While a rollout runs the reconcile comes back every few seconds, so a missed progress
 * deadline is noticed without any other event.
 */
@ControllerConfiguration(name = NamespaceReconciler.NAME)
public final class NamespaceReconciler implements Reconciler<Namespace> {
  public static final String NAME = "sluice-namespaces";
  static final Duration RECHECK = Duration.ofSeconds(5);

  private final NamespaceSync sync;
  private final OperatorMetrics metrics;
  private final Set<String> namespaces;
  private final ReferencedObjects<Secret> secrets;
  private final ReferencedObjects<ConfigMap> configMaps;
  private final boolean httpRoutes;

  /**
   * {@code namespaces}: the ones to reconcile (empty: all); {@code secrets}, {@code configMaps}:
   * the Secrets and ConfigMaps routes name, watched one by one; {@code httpRoutes}: whether Gateway
   * API's HTTPRoutes are watched (the cluster serves them).
   */
  public NamespaceReconciler(
      NamespaceSync sync,
      OperatorMetrics metrics,
      Set<String> namespaces,
      ReferencedObjects<Secret> secrets,
      ReferencedObjects<ConfigMap> configMaps,
      boolean httpRoutes) {
    this.sync = sync;
    this.httpRoutes = httpRoutes;
    this.metrics = metrics;
    this.namespaces = Set.copyOf(namespaces);
    this.secrets = secrets;
    this.configMaps = configMaps;
  }

  /** Whether a namespace is one this operator reconciles. */
  public boolean watches(Namespace namespace) {
    return namespaces.isEmpty() || namespaces.contains(namespace.getMetadata().getName());
  }

  @Override
  public UpdateControl<Namespace> reconcile(Namespace namespace, Context<Namespace> context) {
    NamespaceSync.Outcome outcome =
        sync.sync(
            namespace.getMetadata().getName(),
            new InformerView(context, secrets, configMaps, httpRoutes));
    metrics.reconciled("ProxyRoute", outcome.rolling() ? "rolling" : "settled");
    UpdateControl<Namespace> control = UpdateControl.noUpdate();
    return outcome.rolling() ? control.rescheduleAfter(RECHECK) : control;
  }

  @Override
  public List<EventSource<?, Namespace>> prepareEventSources(
      EventSourceContext<Namespace> context) {
    List<EventSource<?, Namespace>> sources = new ArrayList<>();
    sources.add(
        forgetting(
            context, InformerEventSourceConfiguration.from(ProxyRoute.class, Namespace.class)));
    sources.add(
        forgetting(
            context, InformerEventSourceConfiguration.from(OffloadAgent.class, Namespace.class)));
    sources.add(
        source(
            context,
            InformerEventSourceConfiguration.from(Pod.class, Namespace.class)
                .withLabelSelector(Labels.SIDECAR + "=true")));
    sources.add(
        source(context, InformerEventSourceConfiguration.from(Service.class, Namespace.class)));
    sources.add(
        source(
            context, InformerEventSourceConfiguration.from(EndpointSlice.class, Namespace.class)));
    if (httpRoutes) {
      sources.add(
          forgetting(
              context, InformerEventSourceConfiguration.from(HTTPRoute.class, Namespace.class)));
    }
    // Not every Secret or ConfigMap of the namespace: only those the routes name, each watched on
    // its own.
    sources.add(secrets);
    sources.add(configMaps);
    return sources;
  }

  private <R extends HasMetadata> EventSource<?, Namespace> source(
      EventSourceContext<Namespace> context, InformerEventSourceConfiguration.Builder<R> builder) {
    return new InformerEventSource<>(perNamespace(builder).build(), context);
  }

  /** Like {@link #source}, and what was remembered of a deleted object is forgotten. */
  private <R extends HasMetadata> EventSource<?, Namespace> forgetting(
      EventSourceContext<Namespace> context, InformerEventSourceConfiguration.Builder<R> builder) {
    return new InformerEventSource<>(perNamespace(builder).build(), context) {
      @Override
      public void onDelete(R resource, boolean finalStateUnknown) {
        sync.deleted(resource);
        super.onDelete(resource, finalStateUnknown);
      }
    };
  }

  /** The watched namespaces; an object's events reconcile its namespace. */
  private <R extends HasMetadata> InformerEventSourceConfiguration.Builder<R> perNamespace(
      InformerEventSourceConfiguration.Builder<R> builder) {
    if (!namespaces.isEmpty()) {
      builder.withNamespaces(namespaces);
    } else {
      builder.withWatchAllNamespaces();
    }
    return builder.withSecondaryToPrimaryMapper(
        r -> Set.of(new ResourceID(r.getMetadata().getNamespace())));
  }
}
