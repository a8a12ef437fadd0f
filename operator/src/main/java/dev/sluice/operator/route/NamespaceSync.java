package dev.sluice.operator.route;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.ProxyRouteStatus;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.operator.cluster.EndpointIndex;
import dev.sluice.operator.cluster.NamespaceView;
import dev.sluice.operator.cluster.ReferencedData;
import dev.sluice.operator.configservice.RevisionStore;
import dev.sluice.operator.gateway.HttpRouteAttachments;
import dev.sluice.operator.gateway.ParentStatusWriter;
import dev.sluice.operator.metrics.OperatorMetrics;
import dev.sluice.operator.pods.PodRecord;
import dev.sluice.operator.pods.PodWriter;
import dev.sluice.operator.render.Renderer;
import dev.sluice.operator.rollout.RolloutLog;
import dev.sluice.operator.status.EventRecorder;
import dev.sluice.operator.status.StatusWriter;
import dev.sluice.operator.status.Timestamps;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one namespace in line with its ProxyRoutes: runs {@link NamespaceRollout} over what the
 * informers hold and carries out its result — store the configs about to be handed out, record the
 * new assignments on the pods, write every ProxyRoute's status that changed. One pass at a time per
 * namespace (the assignments of a pass depend on the pods' records the last pass wrote).
 * Idempotent: a second pass over the same state writes nothing.
 */
public final class NamespaceSync {
  private static final Logger LOG = LoggerFactory.getLogger(NamespaceSync.class);
  static final Duration COLLECT_EVERY = Duration.ofMinutes(1);

  private final RevisionStore revisions;
  private final PodWriter pods;
  private final StatusWriter statuses;
  private final EventRecorder events;
  private final RolloutEvents rolloutEvents;
  private final StepMemory steps = new StepMemory();
  private final Renderer.Defaults defaults;
  private final Clock clock;
  private final OperatorMetrics metrics;
  private final java.util.function.Consumer<String> sidecarNamespaces;
  private final @Nullable ParentStatusWriter httpRouteStatuses;
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private final Map<String, Instant> collected = new ConcurrentHashMap<>();

  public NamespaceSync(
      RevisionStore revisions,
      PodWriter pods,
      StatusWriter statuses,
      EventRecorder events,
      Renderer.Defaults defaults,
      Clock clock,
      OperatorMetrics metrics,
      java.util.function.Consumer<String> sidecarNamespaces,
      @Nullable ParentStatusWriter httpRouteStatuses) {
    this.httpRouteStatuses = httpRouteStatuses;
    this.revisions = revisions;
    this.pods = pods;
    this.statuses = statuses;
    this.events = events;
    this.rolloutEvents = new RolloutEvents(events);
    this.defaults = defaults;
    this.clock = clock;
    this.metrics = metrics;
    this.sidecarNamespaces = sidecarNamespaces == null ? n -> {} : sidecarNamespaces;
  }

  /**
   * Whether HTTPRoutes attach to ProxyRoutes here (the cluster serves Gateway API's HTTPRoutes, so
   * they are watched and their status written).
   */
  public boolean watchesHttpRoutes() {
    return httpRouteStatuses != null;
  }

  /** What a pass found: the plan, and whether a rollout still runs (check back soon). */
  record Outcome(NamespaceRollout.Result result, boolean rolling) {}

  /**
   * One pass over {@code namespace}, as a reconcile runs it (for callers outside this package: the
   * kubectl plugin's tests build the cluster state through it); true while a rollout still runs.
   */
  public boolean pass(String namespace, NamespaceView view) {
    return sync(namespace, view).rolling();
  }

  Outcome sync(String namespace, NamespaceView view) {
    synchronized (locks.computeIfAbsent(namespace, n -> new Object())) {
      Instant now = clock.instant();
      List<ProxyRoute> routes = view.routes(namespace);
      List<HTTPRoute> httpRoutes = watchesHttpRoutes() ? view.httpRoutes(namespace) : List.of();
      HttpRouteAttachments.Result attached =
          httpRoutes.isEmpty()
              ? HttpRouteAttachments.Result.NONE
              : HttpRouteAttachments.attach(
                  namespace, routes, httpRoutes, view.services(namespace));
      List<PodRecord> records =
          view.pods(namespace).stream().filter(PodRecord::isLive).map(PodRecord::of).toList();
      if (records.stream().anyMatch(PodRecord::sidecar)) {
        sidecarNamespaces.accept(namespace);
      }
      NamespaceRollout.Result result = plan(namespace, view, routes, attached, records, now);
      // A config is stored before any pod is told about it.
      result.configs().values().forEach(c -> revisions.save(namespace, c));
      StepMemory.News news = steps.next(namespace, records, result.steps());
      record(namespace, result.changes(), now);
      // Told once written: a pass that fails on the way tells its steps when it is retried.
      steps.told(namespace, news);
      news.found().forEach(s -> RolloutLog.write(namespace, routesOf(result, s.pod()), s));
      boolean rolling = writeStatuses(routes, result, attached, now);
      if (httpRouteStatuses != null) {
        httpRouteStatuses.writeAll(httpRoutes, attached, Timestamps.of(now));
      }
      rolloutEvents.record(routes, news.all(), result.places(), result.routes());
      result
          .routes()
          .forEach(
              (route, outcome) ->
                  metrics.rollout(
                      namespace,
                      route,
                      outcome.rollout().selectedPods(),
                      outcome.rollout().updatedPods(),
                      outcome.rollout().failedPods()));
      collect(namespace, records, result, now);
      return new Outcome(result, rolling);
    }
  }

  private NamespaceRollout.Result plan(
      String namespace,
      NamespaceView view,
      List<ProxyRoute> routes,
      HttpRouteAttachments.Result attached,
      List<PodRecord> records,
      Instant now) {
    Map<String, OffloadAgent> agents = new LinkedHashMap<>();
    view.agents(namespace).forEach(a -> agents.put(a.getMetadata().getName(), a));
    return NamespaceRollout.plan(
        new NamespaceRollout.Input(
            namespace,
            routes,
            agents,
            EndpointIndex.build(view.services(namespace), view.endpointSlices(namespace)),
            ReferencedData.secrets(view.secrets(namespace, RouteReferences.secrets(routes))),
            ReferencedData.configMaps(
                view.configMaps(namespace, RouteReferences.configMaps(routes))),
            attached.rules(),
            records,
            now,
            defaults));
  }

  /** The pass's assignments and last good revisions, recorded on the pods. */
  private void record(String namespace, List<NamespaceRollout.PodChange> changes, Instant now) {
    for (NamespaceRollout.PodChange change : changes) {
      pods.record(namespace, change.pod(), change.assign(), change.lastGood(), now);
      if (change.assign() != null) {
        metrics.assigned();
      }
    }
  }

  /** The routes of {@code pod}'s config ({@code <namespace>/<name>}); none when it has none. */
  private static List<String> routesOf(NamespaceRollout.Result result, String pod) {
    NamespaceRollout.PodPlace place = result.places().get(pod);
    return place == null ? List.of() : place.routes();
  }

  /** Every ProxyRoute's status (written when it changed); true while a rollout still runs. */
  private boolean writeStatuses(
      List<ProxyRoute> routes,
      NamespaceRollout.Result result,
      HttpRouteAttachments.Result attached,
      Instant now) {
    boolean rolling = false;
    for (ProxyRoute route : routes) {
      NamespaceRollout.RouteOutcome outcome =
          requireNonNull(
              result.routes().get(route.getMetadata().getName()),
              "the pass has an outcome for every route");
      ProxyRouteStatus current = route.getStatus();
      ProxyRouteStatus next =
          RouteStatus.compute(
              current,
              route.getMetadata().getGeneration() == null ? 0 : route.getMetadata().getGeneration(),
              outcome.problems(),
              outcome.rollout(),
              Timestamps.of(now),
              attached.attachedTo(route.getMetadata().getName()));
      if (statuses.write(route, current, next)) {
        events.transitions(
            route,
            current == null ? null : current.conditions(),
            next.conditions(),
            Reasons.ROLLOUT_IN_PROGRESS);
      }
      rolling |=
          outcome.rollout().selectedPods() > 0
              && !outcome.rollout().complete()
              && outcome.rollout().stalledReason() == null;
    }
    return rolling;
  }

  /** A ProxyRoute or OffloadAgent was deleted: nothing of it is remembered any more. */
  void deleted(HasMetadata resource) {
    if (resource instanceof HTTPRoute route) {
      if (httpRouteStatuses != null) {
        httpRouteStatuses.forget(route);
      }
      return;
    }
    statuses.forget(resource);
  }

  /** Deletes stored revisions no pod names any more, at most once a minute per namespace. */
  private void collect(
      String namespace, List<PodRecord> records, NamespaceRollout.Result result, Instant now) {
    Instant last = collected.get(namespace);
    if (last != null && last.plus(COLLECT_EVERY).isAfter(now)) {
      return;
    }
    collected.put(namespace, now);
    Set<String> inUse = new HashSet<>(result.configs().keySet());
    for (PodRecord r : records) {
      addIfSet(inUse, r.rollout().assigned());
      addIfSet(inUse, r.rollout().applied());
      addIfSet(inUse, r.lastGood());
    }
    for (NamespaceRollout.PodChange change : result.changes()) {
      addIfSet(inUse, change.assign());
      addIfSet(inUse, change.lastGood());
    }
    int deleted = revisions.collect(namespace, inUse, now);
    if (deleted > 0) {
      LOG.info("deleted {} config revisions no pod in {} uses", deleted, namespace);
    }
  }

  private static void addIfSet(Set<String> set, @Nullable String value) {
    if (value != null) {
      set.add(value);
    }
  }
}
