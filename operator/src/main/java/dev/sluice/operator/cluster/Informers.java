package dev.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.ResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.ManagedInformerEventSource;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The reconcilers' secondary informers. Sluice's objects interact per namespace (a pod's config
 * depends on every route selecting it, an agent's status on every route and sidecar using it), so
 * an event of a secondary object maps to every primary of its namespace; reads come from the
 * informer caches, never from the API server.
 */
public final class Informers {
  private Informers() {}

  /** An informer whose events reconcile every primary in the object's namespace. */
  public static <R extends HasMetadata, P extends HasMetadata> EventSource<?, P> perNamespace(
      EventSourceContext<P> context, InformerEventSourceConfiguration.Builder<R> builder) {
    builder.withSecondaryToPrimaryMapper(
        r ->
            context
                .getPrimaryCache()
                .list(r.getMetadata().getNamespace())
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet()));
    return new InformerEventSource<>(builder.build(), context);
  }

  /** The cached objects of {@code type} in {@code namespace}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static <T extends HasMetadata> List<T> list(
      Context<?> context, Class<T> type, String namespace) {
    Object source = context.eventSourceRetriever().getEventSourceFor(type);
    ResourceCache<T> cache = (ManagedInformerEventSource) source;
    return cache.list(namespace).toList();
  }
}
